package io.lockstep.sim;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Recovered;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The set-up the simulations of the Byzantine classic orders ({@link ByzantineClockSimulation},
 * {@link ByzantineUidSimulation}) share: 2t+1 signing replicas, t of them lying, on a
 * fail-stop cluster whose clients take t+1 identical replies, and correct replicas watched for
 * broken assumptions. Only the order and its lies differ between them.
 */
final class ByzantineRuns {
  private ByzantineRuns() {}

  /** Builds replica {@code id}'s order. */
  @FunctionalInterface
  interface OrderMaker<O extends Coordination> {
    O make(int id, List<Integer> members, Recovered recovered);
  }

  /** Replicas 0 to {@code replicas} - 1. */
  static List<Integer> members(int replicas) {
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      members.add(i);
    }
    return members;
  }

  /**
   * Each member's signer from fixed keys (a run's replay needs the same keys): Ed25519 when
   * {@code ed25519}, its checks shared between replicas, otherwise {@link MacSigners}.
   */
  static Map<Integer, Signer> signers(List<Integer> members, long keySeed, boolean ed25519) {
    Map<Integer, Signer> signers = new HashMap<>();
    if (ed25519) {
      SharedVerifications shared = new SharedVerifications();
      Ed25519Signer.signers(SeededKeys.pairs(members, keySeed))
          .forEach((id, signer) -> signers.put(id, shared.wrap(signer)));
    } else {
      signers.putAll(MacSigners.of(members, keySeed));
    }
    return signers;
  }

  /**
   * The t liars' interceptors: the replicas from {@code seed mod n} on, the first lying as
   * {@code lies[seed mod lies.length]}, each next one as the next behaviour.
   */
  static <L> Map<Integer, MessageInterceptor> liars(SimOptions options, long seed, L[] lies,
      BiFunction<Integer, L, MessageInterceptor> interceptor) {
    Map<Integer, MessageInterceptor> liars = new HashMap<>();
    for (int k = 0; k < options.t(); k++) {
      int liar = (int) Math.floorMod(seed + k, (long) options.replicas());
      L lie = lies[(int) Math.floorMod(seed + k, (long) lies.length)];
      liars.put(liar, interceptor.apply(liar, lie));
    }
    return liars;
  }

  /**
   * A factory of {@code maker}'s orders, each correct one (not in {@code liars}) watched; a
   * liar's own state is not checked. {@code forgetReasons} drains an order's drop reasons: the
   * count stays in {@code dropped()}, and undrained reasons would only pile up to their bound.
   */
  static <O extends Coordination> CoordinationFactory factory(Set<Integer> liars,
      OrderMaker<O> maker, Consumer<O> forgetReasons) {
    return factory(liars, maker, forgetReasons, null);
  }

  /** The same, with clients that hand each request, signed with {@code keys}, to one replica. */
  static <O extends Coordination> CoordinationFactory factory(Set<Integer> liars,
      OrderMaker<O> maker, Consumer<O> forgetReasons, SimClientKeys handToOne) {
    return new CoordinationFactory() {
      @Override
      public SimClientKeys clientsHandToOne() {
        return handToOne;
      }

      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        O order = maker.make(id, members, recovered);
        return liars.contains(id) ? order : new Watched<>(id, order, forgetReasons);
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
  private static final class Watched<O extends Coordination> extends ForwardingCoordination {
    private final int replica;
    private final O order;
    private final Consumer<O> forgetReasons;

    Watched(int replica, O order, Consumer<O> forgetReasons) {
      super(order);
      this.replica = replica;
      this.order = order;
      this.forgetReasons = forgetReasons;
    }

    @Override
    public void step(Input input) {
      super.step(input);
      List<String> breaches = order.drainBrokenAssumptions();
      if (!breaches.isEmpty()) {
        throw new SimFailure("assumption: replica " + replica + ": " + breaches.get(0));
      }
      forgetReasons.accept(order);
    }
  }
}
