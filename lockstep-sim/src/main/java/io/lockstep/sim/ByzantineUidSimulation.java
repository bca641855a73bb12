package io.lockstep.sim;

import io.lockstep.identity.Signer;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.cuid.ByzantineCandidateOrder;
import io.lockstep.order.cuid.ByzantineConfig;
import io.lockstep.order.cuid.UidLie;
import io.lockstep.request.ClientPublicKeys;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The Byzantine replica-uid order (paper §3.2.3, Byzantine variant) in the simulator: 2t+1
 * replicas, t of them lying ({@link UidLie}), clocks synchronized within δ = 2 ms, delays of
 * 3 to 3.8 ms and ticks every 10 ms, so rounds of signed agreement of {@link #ROUND_MILLIS} hold
 * (a round must cover a tick's lateness, the delay and twice the skew). Correct replicas are checked as
 * always (linearizable histories, agreeing state digests, liveness); the liars' own state is
 * not ({@link CoordinationFactory#liarsKeepTheOrder}). A broken assumption a correct replica
 * reports (a uid accepted below one processed, a missed round) fails the run.
 */
public final class ByzantineUidSimulation {
  private ByzantineUidSimulation() {}

  /**
   * The round length the runs use: 50 ms rather than the 20 ms default, because every round
   * with work costs Ed25519 signatures and checks, which dominate a run's time.
   */
  public static final long ROUND_MILLIS = 50;

  /** Fixed keys: a run's replay needs the same keys, and secrecy means nothing here. */
  private static final long KEY_SEED = 11;

  /** Options: 2t+1 replicas, duplicated messages, no crashes (the t faults are the liars). */
  public static SimOptions options(int t) {
    FaultRates faults = new FaultRates(400, 1_000, 0, 0, 0, 1, 0, 0, 0, 0, 0.0, 0.3, false);
    return SimOptions.defaults().withReplicasAndT(2 * t + 1, t).withFaults(faults)
        .withClocks(ClockModel.synchronizedWithin(2))
        .withNetwork(new NetworkModel(3_000, 800, 0.0, 0.0)).withFaultPhaseMillis(4_000);
  }

  /**
   * Runs one seed of the protocol, its settings changed by {@code tune} (tests build broken
   * variants), with the replicas from {@code seed mod n} on (t of them) lying: the first as
   * {@code lies[seed mod lies.length]}, each next one as the next behaviour.
   */
  public static SimResult run(SimOptions options, long seed, UnaryOperator<ByzantineConfig> tune,
      UidLie... lies) {
    return run(options, seed, tune, true, lies);
  }

  /**
   * As {@link #run(SimOptions, long, UnaryOperator, UidLie...)}, signing with Ed25519 when
   * {@code ed25519}, otherwise with {@link MacSigners} (the same checks at a hundredth of the
   * cost, for runs of many seeds).
   */
  public static SimResult run(SimOptions options, long seed, UnaryOperator<ByzantineConfig> tune,
      boolean ed25519, UidLie... lies) {
    return run(options, seed, tune, ed25519, false, lies);
  }

  /**
   * As {@link #run(SimOptions, long, UnaryOperator, boolean, UidLie...)}; with {@code handToOne}
   * each client signs its request and hands it to ONE replica, resending through the next one
   * when no answer comes (paper §3.1's second transmitter mode), and the replicas take a request
   * on one carrier's word when its client's signature verifies.
   */
  public static SimResult run(SimOptions options, long seed, UnaryOperator<ByzantineConfig> tune,
      boolean ed25519, boolean handToOne, UidLie... lies) {
    return seeded(options, seed, tune, ed25519, handToOne, lies).run(options, seed);
  }

  /**
   * What {@link #run(SimOptions, long, UnaryOperator, boolean, boolean, UidLie...)} runs, without
   * running it (a timeline journals the same run).
   */
  public static SimProtocol.Seeded seeded(SimOptions options, long seed,
      UnaryOperator<ByzantineConfig> tune, boolean ed25519, boolean handToOne, UidLie... lies) {
    SimClientKeys clients = handToOne ? new SimClientKeys(KEY_SEED, ed25519) : null;
    ClientPublicKeys clientKeys = clients == null ? ClientPublicKeys.none() : clients.keys();
    List<Integer> members = ByzantineRuns.members(options.replicas());
    Map<Integer, Signer> signers = ByzantineRuns.signers(members, KEY_SEED, ed25519);
    Map<Integer, MessageInterceptor> liars = ByzantineRuns.liars(options, seed, lies,
        (liar, lie) -> lie.interceptor(signers.get(liar), members,
            ByzantineConfig.defaults(liar, members, options.t()).candidateSpan()));
    CoordinationFactory factory = ByzantineRuns.factory(liars.keySet(),
        (id, group, recovered) -> new ByzantineCandidateOrder(tune.apply(
            ByzantineConfig.defaults(id, group, options.t()).withRoundMillis(ROUND_MILLIS)),
            signers.get(id), clientKeys, recovered),
        ByzantineCandidateOrder::drainRejected, clients);
    return new SimProtocol.Seeded(factory, liars);
  }
}
