package io.lockstep.sim;

import io.lockstep.identity.Signer;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.clocks.ByzantineClockConfig;
import io.lockstep.order.clocks.ByzantineRealTimeOrder;
import io.lockstep.order.clocks.ClockLie;
import io.lockstep.request.ClientPublicKeys;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The Byzantine real-time order (paper §3.2.2 with signed agreement, §3.1) in the simulator:
 * 2t+1 replicas, t of them lying ({@link ClockLie}), clocks synchronized within δ = 2 ms, delays
 * of 3 to 3.8 ms and ticks every 10 ms, rounds of {@link ByzantineUidSimulation#ROUND_MILLIS}.
 * Clients send every request to every replica and take t+1 identical replies. Correct
 * replicas are checked as always (linearizable histories, agreeing state digests, liveness);
 * the liars' own state is not. A broken assumption a correct replica reports (a uid taken
 * below one processed, a missed round) fails the run.
 */
public final class ByzantineClockSimulation {
  private ByzantineClockSimulation() {}

  private static final long KEY_SEED = 13;

  /**
   * Options: those of {@link ByzantineUidSimulation#options(int)}, the same cluster (2t+1
   * replicas), clocks, network and faults, whose rounds both orders share.
   */
  public static SimOptions options(int t) {
    return ByzantineUidSimulation.options(t);
  }

  /**
   * Runs one seed with the replicas from {@code seed mod n} on (t of them) lying: the first as
   * {@code lies[seed mod lies.length]}, each next one as the next behaviour; Ed25519 signatures
   * when {@code ed25519}, otherwise {@link MacSigners}.
   */
  public static SimResult run(SimOptions options, long seed,
      UnaryOperator<ByzantineClockConfig> tune, boolean ed25519, ClockLie... lies) {
    return run(options, seed, tune, ed25519, false, lies);
  }

  /**
   * The same; with {@code handToOne} each client signs its request and hands it to ONE replica,
   * resending through the next one when no answer comes (paper §3.1's second transmitter mode).
   */
  public static SimResult run(SimOptions options, long seed,
      UnaryOperator<ByzantineClockConfig> tune, boolean ed25519, boolean handToOne,
      ClockLie... lies) {
    return seeded(options, seed, tune, ed25519, handToOne, lies).run(options, seed);
  }

  /**
   * What {@link #run(SimOptions, long, UnaryOperator, boolean, boolean, ClockLie...)} runs,
   * without running it (a timeline journals the same run).
   */
  public static SimProtocol.Seeded seeded(SimOptions options, long seed,
      UnaryOperator<ByzantineClockConfig> tune, boolean ed25519, boolean handToOne,
      ClockLie... lies) {
    SimClientKeys clients = handToOne ? new SimClientKeys(KEY_SEED, ed25519) : null;
    ClientPublicKeys clientKeys = clients == null ? ClientPublicKeys.none() : clients.keys();
    List<Integer> members = ByzantineRuns.members(options.replicas());
    Map<Integer, Signer> signers = ByzantineRuns.signers(members, KEY_SEED, ed25519);
    Map<Integer, MessageInterceptor> liars = ByzantineRuns.liars(options, seed, lies,
        (liar, lie) -> lie.interceptor(signers.get(liar), ByzantineUidSimulation.ROUND_MILLIS));
    CoordinationFactory factory = ByzantineRuns.factory(liars.keySet(),
        (id, group, recovered) -> new ByzantineRealTimeOrder(tune.apply(
            ByzantineClockConfig.defaults(id, group, options.t())
                .withRoundMillis(ByzantineUidSimulation.ROUND_MILLIS)), signers.get(id),
            clientKeys, recovered),
        ByzantineRealTimeOrder::drainRejected, clients);
    return new SimProtocol.Seeded(factory, liars);
  }
}
