package io.lockstep.sim;

import io.lockstep.order.Commuting;
import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.clocks.RealTimeClock;
import io.lockstep.order.cuid.CandidateOrder;
import io.lockstep.order.cuid.UidChoice;
import io.lockstep.order.lamport.LogicalClock;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.HaltThenRejoin;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.stamped.UidScheme;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The paper's own ordering schemes (§3.2) for the simulator, and the run conditions they assume:
 * fail-stop replicas that never come back (t+1 of them), bounded delays and no partitions. A
 * broadcast that a replica had to drop because an assumption broke (it arrived from a replica
 * already declared failed, or below what was already processed) fails the run with the reason:
 * such a run is reported, never silently misordered.
 */
public final class ClassicSchemes {
  /** What a restarted replica's storage holds: its order engine then rejoins (§7.2). */
  private static final Recovered RAN_BEFORE = HaltThenRejoin.ranBefore(new byte[] {1});

  private ClassicSchemes() {}

  /** Order by logical clocks (§3.2.1) with the protocol's default settings. */
  public static CoordinationFactory logicalClock() {
    return failStop(StampedConfig::defaults, LogicalClock::new);
  }

  /**
   * Order by synchronized real-time clocks (§3.2.2) with {@code test}, Δ = 150 ms and the
   * protocol's other defaults (δ = 2 ms below a minimum delay of 3 ms).
   */
  public static CoordinationFactory realTime(RealTimeClock.Test test) {
    return realTime(test, order -> { });
  }

  /** As above, handing each replica's order to {@code built} (for tests that count in it). */
  public static CoordinationFactory realTime(RealTimeClock.Test test,
      Consumer<StampedOrder> built) {
    return failStop(StampedConfig::defaults, () -> new RealTimeClock(test, 150), false, true,
        built);
  }

  /**
   * Order by replica-generated identifiers (§3.2.3) with the protocol's defaults; with
   * {@code quiescence} false a request is answered before every replica has accepted it (a
   * deliberately broken variant for tests).
   */
  public static CoordinationFactory replicaUid(boolean quiescence) {
    return replicaUid(quiescence, UidChoice.EVERY_REPLICA);
  }

  /**
   * Order by replica-generated identifiers with {@code choice} deciding who turns candidates
   * into the uid (every replica, or ABCAST's coordinator).
   */
  public static CoordinationFactory replicaUid(boolean quiescence, UidChoice choice) {
    return replicaUid(quiescence, choice, order -> { });
  }

  /** As above, handing each replica's order to {@code built} (for tests that count in it). */
  public static CoordinationFactory replicaUid(boolean quiescence, UidChoice choice,
      Consumer<CandidateOrder> built) {
    return new FailStopFactory(false) {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        CandidateOrder order = new CandidateOrder(StampedConfig.defaults(id, members), recovered,
            quiescence, choice);
        built.accept(order);
        return new Watched(id, order, order::drainBrokenAssumptions);
      }
    };
  }

  /**
   * Order by replica-generated identifiers (every replica choosing the uid) whose crashed
   * replicas restart and rejoin (paper §7.2); with {@code boundary} false a replica counts the
   * rejoined one's candidate for whatever it accepts after delivering the admission rather than
   * for the requests above the admission's boundary (a deliberately broken variant for tests).
   * With {@code wiped}, a restarted replica loses its disk and rejoins as an empty replica of a
   * cluster marked as started.
   */
  public static CoordinationFactory replicaUidRejoining(boolean boundary, boolean wiped) {
    return replicaUidRejoining(boundary, wiped, UidChoice.EVERY_REPLICA);
  }

  /**
   * As above, with {@code choice} turning candidates into uids (ABCAST: with {@code boundary}
   * false, a rejoined replica is needed, and may coordinate, wherever a replica that delivered
   * its admission looks, its own earlier requests included).
   */
  public static CoordinationFactory replicaUidRejoining(boolean boundary, boolean wiped,
      UidChoice choice) {
    return new FailStopFactory(true) {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        boolean restart = recovered.hardState() != null;
        StampedConfig config = StampedConfig.defaults(id, members);
        StampedConfig used = wiped && restart ? config.started() : config;
        HaltThenRejoin order = new HaltThenRejoin(new CandidateOrder(used,
            wiped ? Recovered.EMPTY : recovered, true, choice, Commuting.NOTHING, boundary),
            () -> new CandidateOrder(used, RAN_BEFORE, true, choice, Commuting.NOTHING, boundary),
            used.failureTimeoutMillis());
        return new Watched(id, order, order::drainBrokenAssumptions);
      }
    };
  }

  /**
   * Order by logical clocks whose crashed replicas restart and rejoin (paper §7.2); with
   * {@code holdDirect} false a rejoined replica skips to broadcasts that came directly from
   * their origin (a deliberately broken variant for tests).
   */
  public static CoordinationFactory logicalClockRejoining(boolean holdDirect) {
    return failStop(StampedConfig::defaults, LogicalClock::new, true, holdDirect);
  }

  /**
   * Order by logical clocks whose crashed replicas lose their disk: each restarts with empty
   * storage in a cluster marked as started ({@link StampedConfig#clusterStarted}), so it rejoins
   * (paper §7.2) with no state of its own, as a wiped or replaced replica does.
   */
  public static CoordinationFactory logicalClockRejoiningWiped() {
    CoordinationFactory rejoining = logicalClockRejoining(true);
    return new FailStopFactory(true) {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        if (recovered.hardState() == null) {
          return rejoining.create(id, members, recovered, seed); // the cluster's first start
        }
        StampedConfig config = StampedConfig.defaults(id, members).started();
        HaltThenRejoin order = new HaltThenRejoin(new StampedOrder(config, new LogicalClock(),
            Recovered.EMPTY), () -> new StampedOrder(config, new LogicalClock(), RAN_BEFORE),
            config.failureTimeoutMillis());
        return new Watched(id, order, order::drainBrokenAssumptions);
      }
    };
  }

  /** Order by synchronized real-time clocks with {@code test}, crashed replicas rejoining. */
  public static CoordinationFactory realTimeRejoining(RealTimeClock.Test test) {
    return failStop(StampedConfig::defaults, () -> new RealTimeClock(test, 150), true, true);
  }

  /** A fail-stop factory of the stamped-order engine with {@code scheme}. */
  static CoordinationFactory failStop(ConfigFor config, Supplier<UidScheme> scheme) {
    return failStop(config, scheme, false, true);
  }

  private static CoordinationFactory failStop(ConfigFor config, Supplier<UidScheme> scheme,
      boolean rejoin, boolean holdDirect) {
    return failStop(config, scheme, rejoin, holdDirect, order -> { });
  }

  private static CoordinationFactory failStop(ConfigFor config, Supplier<UidScheme> scheme,
      boolean rejoin, boolean holdDirect, Consumer<StampedOrder> built) {
    return new FailStopFactory(rejoin) {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        StampedConfig c = config.of(id, members);
        StampedOrder first = new StampedOrder(c, scheme.get(), recovered, holdDirect);
        built.accept(first);
        if (!rejoin) {
          return new Watched(id, first);
        }
        // What the server runs: a replica declared failed while it ran halts and rejoins.
        HaltThenRejoin order = new HaltThenRejoin(first,
            () -> new StampedOrder(c, scheme.get(), RAN_BEFORE, holdDirect),
            c.failureTimeoutMillis());
        return new Watched(id, order, order::drainBrokenAssumptions);
      }
    };
  }

  /** The schemes {@link #stalling} builds. */
  public enum Scheme {
    LOGICAL_CLOCK, REAL_TIME, REPLICA_UID, ABCAST
  }

  /**
   * {@code scheme} with the engine the server runs ({@code HaltThenRejoin}): a replica the
   * others declare failed while it runs (paused past the failure timeout, {@link
   * #stallOptions}) halts when a peer tells it, and rejoins in process (paper §7.2). What that
   * path reports is expected: the halt, and the broadcasts the halted replica sent after it was
   * declared failed, which its peers drop. Any other broken assumption fails the run, and the
   * checkers (linearizability, digests, committed positions) judge whether the halt left
   * anything different. Each replica's engine is handed to {@code built} (to count halts).
   */
  public static CoordinationFactory stalling(Scheme scheme,
      java.util.function.Consumer<HaltThenRejoin> built) {
    return new FailStopFactory(true) {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        StampedConfig c = StampedConfig.defaults(id, members);
        HaltThenRejoin order = new HaltThenRejoin(engine(scheme, c, recovered),
            () -> engine(scheme, c, RAN_BEFORE), c.failureTimeoutMillis());
        built.accept(order);
        return new Watched(id, order, () -> order.drainBrokenAssumptions().stream()
            .filter(b -> !b.contains(" was declared failed (") && !b.contains("halted"))
            .toList());
      }
    };
  }

  private static HaltThenRejoin.Engine engine(Scheme scheme, StampedConfig c,
      Recovered recovered) {
    return switch (scheme) {
      case LOGICAL_CLOCK -> new StampedOrder(c, new LogicalClock(), recovered);
      case REAL_TIME -> new StampedOrder(c, new RealTimeClock(RealTimeClock.Test.COMBINED, 150),
          recovered);
      case REPLICA_UID -> new CandidateOrder(c, recovered, true, UidChoice.EVERY_REPLICA);
      case ABCAST -> new CandidateOrder(c, recovered, true, UidChoice.ABCAST);
    };
  }

  /**
   * {@link #options} with replicas that pause ({@code SIGSTOP}-like, about a second, against a
   * failure timeout of 300 ms) instead of crashing, besides duplicated messages: a pause counts
   * against t, as a crash does (see {@code Cluster.downOrStalled}).
   */
  public static SimOptions stallOptions(int t) {
    return options(t).withFaults(new FaultRates(400, 1_000, 0, 0, 0, 1, 0, 0, 2, 0, 0.0, 0.3,
        false));
  }

  /** Builds one replica's settings. */
  @FunctionalInterface
  interface ConfigFor {
    StampedConfig of(int self, List<Integer> members);
  }

  /**
   * The faults these schemes are built to survive: crashes (at most t down at once; permanent
   * unless the factory rejoins restarted replicas) and duplicated
   * messages, one every 400 ms on average. No partitions, loss bursts, slow bursts or pauses:
   * each breaks the bounded-delay assumption their failure detection stands on (the assumption
   * watch reports a run where it breaks anyway). No disk faults: nothing is read back.
   */
  public static FaultRates failStopFaults() {
    return new FaultRates(400, 1_000, 2, 0, 0, 1, 0, 0, 0, 0, 0.0, 0.3, false);
  }

  /**
   * Options for these schemes: {@code t} + 1 replicas, the faults above, clocks synchronized
   * within δ = 2 ms and a network whose minimum delay (3 ms) is above δ, as §3.2.2 requires.
   */
  public static SimOptions options(int t) {
    return SimOptions.defaults().withReplicasAndT(t + 1, t).withFaults(failStopFaults())
        .withClocks(ClockModel.synchronizedWithin(2))
        .withNetwork(new NetworkModel(3_000, 800, 0.0, 0.0)).withFaultPhaseMillis(4_000);
  }

  /** A factory of fail-stop replicas whose crashes last, or who restart and rejoin (§7.2). */
  private abstract static class FailStopFactory implements CoordinationFactory {
    private final boolean rejoins;

    FailStopFactory(boolean rejoins) {
      this.rejoins = rejoins;
    }

    @Override
    public boolean failStop() {
      return true;
    }

    @Override
    public boolean rejoins() {
      return rejoins;
    }
  }

  /** Fails the run when the protocol reports a broken assumption. */
  private static final class Watched extends ForwardingCoordination {
    private final int replica;
    private final Supplier<List<String>> breaches;

    Watched(int replica, StampedOrder order) {
      this(replica, order, order::assumptionBreaches);
    }

    Watched(int replica, Coordination order, Supplier<List<String>> breaches) {
      super(order);
      this.replica = replica;
      this.breaches = breaches;
    }

    @Override
    public void step(Input input) {
      super.step(input);
      List<String> breaches = this.breaches.get();
      if (!breaches.isEmpty()) {
        throw new SimFailure("assumption: replica " + replica + ": " + breaches.get(0));
      }
    }
  }
}
