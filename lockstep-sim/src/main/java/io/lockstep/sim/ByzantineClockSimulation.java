package io.lockstep.sim;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Recovered;
import io.lockstep.order.clocks.ByzantineClockConfig;
import io.lockstep.order.clocks.ByzantineRealTimeOrder;
import io.lockstep.order.clocks.ClockLie;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
   * Runs one seed with the replicas from {@code seed mod n} on (t of them) lying: the first as
   * {@code lies[seed mod lies.length]}, each next one as the next behaviour; Ed25519 signatures
   * when {@code ed25519}, otherwise {@link MacSigners}.
   */
  public static SimResult run(SimOptions options, long seed,
      UnaryOperator<ByzantineClockConfig> tune, boolean ed25519, ClockLie... lies) {
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < options.replicas(); i++) {
      members.add(i);
    }
    Map<Integer, Signer> signers = new HashMap<>();
    if (ed25519) {
      SharedVerifications shared = new SharedVerifications();
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(members, KEY_SEED))
          .forEach((id, signer) -> signers.put(id, shared.wrap(signer)));
    } else {
      signers.putAll(MacSigners.of(members, KEY_SEED));
    }
    Map<Integer, MessageInterceptor> liars = new HashMap<>();
    for (int k = 0; k < options.t(); k++) {
      int liar = (int) Math.floorMod(seed + k, (long) options.replicas());
      ClockLie lie = lies[(int) Math.floorMod(seed + k, (long) lies.length)];
      liars.put(liar, lie.interceptor(signers.get(liar), ByzantineUidSimulation.ROUND_MILLIS));
    }
    return Simulation.run(options, seed, factory(options.t(), tune, signers, liars.keySet()),
        liars);
  }

  private static CoordinationFactory factory(int t, UnaryOperator<ByzantineClockConfig> tune,
      Map<Integer, Signer> signers, Set<Integer> liars) {
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        ByzantineRealTimeOrder order = new ByzantineRealTimeOrder(tune.apply(
            ByzantineClockConfig.defaults(id, members, t)
                .withRoundMillis(ByzantineUidSimulation.ROUND_MILLIS)), signers.get(id),
            recovered);
        return liars.contains(id) ? order : new Watched(id, order);
      }

      @Override
      public FailureModel failureModel() {
        return FailureModel.BYZANTINE;
      }

      @Override
      public boolean failStop() {
        return true; // a replica that stopped cannot rejoin (no §7.2 integration)
      }

      @Override
      public int commandQuorum(int faulty) {
        return faulty + 1; // 2t+1 replicas: t+1 identical replies include a correct one
      }

      @Override
      public boolean liarsKeepTheOrder() {
        return false;
      }
    };
  }

  /** Fails the run when a correct replica reports a broken assumption. */
  private static final class Watched extends ForwardingCoordination {
    private final int replica;
    private final ByzantineRealTimeOrder order;

    Watched(int replica, ByzantineRealTimeOrder order) {
      super(order);
      this.replica = replica;
      this.order = order;
    }

    @Override
    public void step(Input input) {
      super.step(input);
      List<String> breaches = order.drainBrokenAssumptions();
      if (!breaches.isEmpty()) {
        throw new SimFailure("assumption: replica " + replica + ": " + breaches.get(0));
      }
      order.drainRejected(); // dropped with a reason; the count stays in dropped()
    }
  }
}
