package io.lockstep.sim;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Recovered;
import io.lockstep.order.pbft.ByzantineBehaviour;
import io.lockstep.executor.Executor;
import io.lockstep.order.pbft.ConfigurationReader;
import io.lockstep.order.pbft.MembershipSchedule;
import io.lockstep.order.pbft.Pbft;
import io.lockstep.order.pbft.PbftConfig;
import io.lockstep.order.pbft.ThroughputPolicy;
import io.lockstep.order.pbft.wire.PbftCodec;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The PBFT-class protocol in the simulator: its {@link CoordinationFactory}, the options it runs
 * under, and runs with up to t Byzantine replicas ({@link ByzantineBehaviour}).
 *
 * <p>Crashes restart a replica from what its disk kept ({@link Pbft#recover}); a replica whose
 * disk was damaged repairs from its peers before it votes again, and counts as down (one of the
 * t) until then. What {@link #options()} leaves out, and why: disk faults (runs with a
 * Byzantine replica would have two faulty replicas while one repairs; the repair runs add them
 * back), and wall clocks an hour wrong (a backup rejects pre-prepares whose time is beyond its
 * clock bound, so a wrong clock is another fault). Partitions, loss, duplication, delay, pauses
 * and clock jumps within the skew bound all stay.
 */
public final class PbftSimulation {
  private PbftSimulation() {}

  /** The seed every run's keys are drawn from (a replay needs the same keys). */
  private static final long KEY_SEED = 7;

  /** The protocol with its default settings. */
  public static CoordinationFactory factory() {
    return factory(c -> c);
  }

  /**
   * The protocol with settings changed by {@code tune} (tests use it to build deliberately
   * broken variants).
   */
  public static CoordinationFactory factory(UnaryOperator<PbftConfig> tune) {
    return factory(tune, ThroughputPolicy.aardvark());
  }

  /**
   * The protocol with settings changed by {@code tune} and backups holding primaries to
   * {@code throughput} ({@link ThroughputPolicy#off()}: the protocol without the check).
   */
  public static CoordinationFactory factory(UnaryOperator<PbftConfig> tune,
      ThroughputPolicy throughput) {
    return factory(tune, throughput, true);
  }

  /**
   * As {@link #factory(UnaryOperator, ThroughputPolicy)}, the replicas signing with Ed25519 when
   * {@code ed25519}, otherwise with {@link MacSigners} (the same checks at a fraction of the
   * cost, for tests of many seeds; {@link #run(SimOptions, long, CoordinationFactory,
   * ByzantineBehaviour)} hands the liar its own key of the same kind).
   */
  public static CoordinationFactory factory(UnaryOperator<PbftConfig> tune,
      ThroughputPolicy throughput, boolean ed25519) {
    return new Factory(tune, throughput, ConfigurationReader.FIXED, Pbft::recover, ed25519);
  }

  /** How a replica is built from its settings and its disk ({@link Pbft#recover} in real runs). */
  @FunctionalInterface
  public interface Builder {
    /** Builds the replica {@code config.self()} from what its disk kept. */
    Coordination build(PbftConfig config, ThroughputPolicy throughput,
        ConfigurationReader reader, Recovered recovered);
  }

  /**
   * The protocol with its default settings, each replica built by {@code builder} (tests pass
   * deliberately broken variants, to show that the checkers catch them).
   */
  public static CoordinationFactory factory(Builder builder) {
    return new Factory(c -> c, ThroughputPolicy.aardvark(), ConfigurationReader.FIXED, builder,
        true);
  }

  /**
   * Settings for runs that change the replica set: a checkpoint every 4 sequence numbers and a
   * window of 8, so that a change's boundary (one window after it is ordered) comes within a
   * short run.
   */
  public static final UnaryOperator<PbftConfig> MEMBERSHIP_LOG = c -> c.withLog(16, 4, 8);

  /**
   * The protocol reading its replica set from each stable checkpoint's executor state
   * ({@link Executor#configurationIn}), with {@link #MEMBERSHIP_LOG}'s settings changed
   * further by {@code tune}.
   */
  public static CoordinationFactory membershipFactory(UnaryOperator<PbftConfig> tune) {
    return membershipFactory(tune, true);
  }

  /**
   * As {@link #membershipFactory(UnaryOperator)}, signing with {@link MacSigners} unless
   * {@code ed25519}.
   */
  public static CoordinationFactory membershipFactory(UnaryOperator<PbftConfig> tune,
      boolean ed25519) {
    return new Factory(c -> tune.apply(MEMBERSHIP_LOG.apply(c)), ThroughputPolicy.aardvark(),
        Executor::configurationIn, Pbft::recover, ed25519);
  }

  /**
   * {@link #options()} with {@code spares} spare replicas and an operator who replaces
   * {@code replacements} replicas one at a time ({@link MembershipPlan.Mode#OPERATOR}); the
   * executors state replica-set changes one window ahead
   * ({@link MembershipSchedule#requiredDistance}), as a PBFT cluster's must.
   */
  public static SimOptions membershipOptions(int spares, int replacements) {
    PbftConfig sample = MEMBERSHIP_LOG.apply(PbftConfig.defaults(0, List.of(0, 1, 2, 3), 1,
        Signer.none(0)));
    return options()
        .withMembership(MembershipPlan.operator(spares, replacements, 150))
        .withConfiguration(new ConfigurationPlan(0, 0, 1,
            MembershipSchedule.requiredDistance(sample), false));
  }

  /**
   * {@link #membershipFactory} with every replica's own configurator on
   * ({@link Pbft#replaceSilentVoters}): a member t+1 replicas report silent past
   * {@code unreachableMillis} is replaced by the first of {@code spares} not yet a member.
   */
  public static CoordinationFactory configuratorFactory(List<Integer> spares,
      long unreachableMillis) {
    return configuratorFactory(spares, unreachableMillis, true);
  }

  /**
   * As {@link #configuratorFactory(List, long)}, signing with {@link MacSigners} unless
   * {@code ed25519}.
   */
  public static CoordinationFactory configuratorFactory(List<Integer> spares,
      long unreachableMillis, boolean ed25519) {
    CoordinationFactory inner = membershipFactory(c -> c, ed25519);
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered,
          long seed) {
        Coordination pbft = inner.create(id, members, recovered, seed);
        // Every simulated replica boots at time 0: the grace real process starts need (30 s)
        // would keep a member that fails at once in place past the run's liveness bound.
        pbft.replaceSilentVoters(spares, unreachableMillis, unreachableMillis);
        return pbft;
      }

      @Override
      public FailureModel failureModel() {
        return inner.failureModel();
      }

      @Override
      public void arriving(int to, int from, ProtocolMessage message) {
        inner.arriving(to, from, message);
      }
    };
  }

  /**
   * {@link #membershipOptions} where no operator changes the set: {@code replacements} members
   * fail for good one after another (at most one at a time, a mean {@code gapMillis} after the
   * last replacement settled) and the replicas' own configurator replaces each from
   * {@code spares} ({@link MembershipPlan.Mode#PROTOCOL}; run with {@link #configuratorFactory}).
   */
  public static SimOptions configuratorOptions(int spares, int replacements, long gapMillis,
      long unreachableMillis) {
    return membershipOptions(0, 0).withMembership(MembershipPlan.protocol(spares, replacements,
        gapMillis, unreachableMillis));
  }

  /**
   * The factory: fixed keys, and each replica's signer a {@link PreverifiedSigner} that
   * {@link #arriving} fills from the codec's claims, as the server's intake does on its pool.
   */
  static final class Factory implements CoordinationFactory {
    private final UnaryOperator<PbftConfig> tune;
    private final ThroughputPolicy throughput;
    private final ConfigurationReader reader;
    private final Builder builder;
    private final boolean ed25519;
    private Map<Integer, PreverifiedSigner> signers;

    Factory(UnaryOperator<PbftConfig> tune, ThroughputPolicy throughput,
        ConfigurationReader reader, Builder builder, boolean ed25519) {
      this.tune = tune;
      this.throughput = throughput;
      this.reader = reader;
      this.builder = builder;
      this.ed25519 = ed25519;
    }

    // Synchronized: the command line runs seeds on two threads with one factory.
    @Override
    public synchronized Coordination create(int id, List<Integer> members, Recovered recovered,
        long seed) {
      if (signers == null) {
        Map<Integer, PreverifiedSigner> made = new java.util.TreeMap<>();
        keys(keyed(members), ed25519).forEach((member, signer) ->
            made.put(member, new PreverifiedSigner(signer, 4096)));
        signers = made;
      }
      int t = (members.size() - 1) / 3;
      return builder.build(tune.apply(PbftConfig.defaults(id, members, t, signers.get(id))),
          throughput, reader, recovered);
    }

    /**
     * Each of {@code ids}' signers from the fixed keys (a run's replay needs the same keys, and
     * secrecy means nothing here): Ed25519, its checks shared between the replicas, or
     * {@link MacSigners#ed25519Sized}.
     */
    static Map<Integer, Signer> keys(List<Integer> ids, boolean ed25519) {
      if (!ed25519) {
        return MacSigners.ed25519Sized(ids, KEY_SEED);
      }
      SharedVerifications shared = new SharedVerifications();
      Map<Integer, Signer> wrapped = new java.util.TreeMap<>();
      Ed25519Signer.signers(SeededKeys.pairs(ids, KEY_SEED))
          .forEach((member, signer) -> wrapped.put(member, shared.wrap(signer)));
      return wrapped;
    }

    /**
     * Keys for the members and for ids after them up to 15, the spares a run may start: keys
     * are drawn in id order, so the members' keys are those of a run without spares.
     */
    static List<Integer> keyed(List<Integer> members) {
      java.util.TreeSet<Integer> ids = new java.util.TreeSet<>(members);
      for (int id = 0; id < 16; id++) {
        ids.add(id);
      }
      return List.copyOf(ids);
    }

    @Override
    public FailureModel failureModel() {
      return FailureModel.BYZANTINE;
    }

    @Override
    public void arriving(int to, int from, ProtocolMessage message) {
      PreverifiedSigner signer = signer(to);
      if (signer != null) {
        for (SignatureClaim claim : PbftCodec.INSTANCE.signatures(from, message)) {
          signer.preverify(claim);
        }
      }
    }

    /** Replica {@code id}'s signer, or null before the first replica was built. */
    synchronized PreverifiedSigner signer(int id) {
      return signers == null ? null : signers.get(id);
    }
  }

  /**
   * Four replicas (t = 1), every fault but disk faults and wrong clocks (crashes of up to t
   * replicas at once, each restarting from its disk), a 3 s fault phase.
   */
  public static SimOptions options() {
    FaultRates faults = new FaultRates(400, 1_000, 2, 4, 2, 2, 1, 1, 1, 0, 0.3, 0.2, false);
    // A sequence number spans maxBatch (16) positions, so the replica's own digest and snapshot
    // schedules, counted in positions, are stretched to match: a digest every checkpoint
    // interval (16 sequence numbers), and no periodic snapshots (PBFT takes its own).
    return SimOptions.defaults().withReplicasAndT(4, 1).withFaults(faults)
        .withClocks(ClockModel.unsynchronized().withWrongClockMillis(0))
        .withFaultPhaseMillis(3_000).withDigestEvery(256).withSnapshotEvery(1L << 40);
  }

  /**
   * Runs one seed of {@code factory}'s protocol with every replica correct and a power loss:
   * at {@code atMillis} all of them
   * crash at once, and they restart from their disks {@code downMillis} later (on top of the
   * faults {@code options} schedules).
   */
  public static SimResult runWithPowerLoss(SimOptions options, long seed,
      CoordinationFactory factory, long atMillis, long downMillis) {
    return powerLoss(new SimProtocol.Seeded(factory, Map.of()), options, seed, atMillis,
        downMillis);
  }

  /**
   * As {@link #runWithPowerLoss}, with one Byzantine replica whose behaviour the seed picks (as
   * {@link #runMixed} does): the correct replicas' disks must carry every acknowledged write
   * through the power loss while the liar, restarted too, goes on lying.
   */
  public static SimResult runMixedWithPowerLoss(SimOptions options, long seed,
      CoordinationFactory factory, long atMillis, long downMillis) {
    return powerLoss(mixed(options, seed, factory), options, seed, atMillis, downMillis);
  }

  private static SimResult powerLoss(SimProtocol.Seeded seeded, SimOptions options, long seed,
      long atMillis, long downMillis) {
    if (atMillis < 1 || downMillis < 1) {
      throw new IllegalArgumentException("a power loss needs a time and a duration of at least"
          + " 1 ms, got " + atMillis + " and " + downMillis);
    }
    return new SimRun(options, seed, seeded.factory(), RegisterService.exampleKvStore(),
        seeded.liars(), new Trace(null)).powerLoss(atMillis, downMillis).execute();
  }

  /** Runs one seed with every replica correct. */
  public static SimResult run(SimOptions options, long seed) {
    return Simulation.run(options, seed, factory());
  }

  /**
   * Runs one seed with replica {@code seed mod n} misbehaving as {@code behaviour} (up to t
   * Byzantine replicas: here one).
   */
  public static SimResult run(SimOptions options, long seed, ByzantineBehaviour behaviour) {
    return run(options, seed, factory(), behaviour);
  }

  /**
   * Runs one seed of {@code factory}'s protocol with one Byzantine replica whose behaviour the
   * seed picks (each of {@link ByzantineBehaviour}'s in turn), as {@code lockstep sim --protocol
   * pbft} and the default build's seeds do.
   */
  public static SimResult runMixed(SimOptions options, long seed, CoordinationFactory factory) {
    return mixed(options, seed, factory).run(options, seed);
  }

  /**
   * What {@link #runMixed} runs, without running it (a timeline journals the same run, its
   * Byzantine replica included).
   */
  public static SimProtocol.Seeded mixed(SimOptions options, long seed,
      CoordinationFactory factory) {
    ByzantineBehaviour[] all = ByzantineBehaviour.values();
    return seeded(options, seed, factory, all[(int) Math.floorMod(seed, (long) all.length)]);
  }

  /** As {@link #run(SimOptions, long, ByzantineBehaviour)} with the protocol {@code factory}. */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      ByzantineBehaviour behaviour) {
    return seeded(options, seed, factory, behaviour).run(options, seed);
  }

  private static SimProtocol.Seeded seeded(SimOptions options, long seed,
      CoordinationFactory factory, ByzantineBehaviour behaviour) {
    int liar = (int) Math.floorMod(seed, (long) options.replicas());
    // The liar's own key of the factory's kind, so the lies it signs are authentic: MAC keys
    // for a factory made to sign with them, else Ed25519 (the kind every other factory here
    // signs with, and that tests' wrappers of them inherit).
    boolean ed25519 = !(factory instanceof Factory f) || f.ed25519;
    Signer own = Factory.keys(Factory.keyed(List.of()), ed25519).get(liar);
    return new SimProtocol.Seeded(factory, Map.of(liar, behaviour.interceptor(own)));
  }
}
