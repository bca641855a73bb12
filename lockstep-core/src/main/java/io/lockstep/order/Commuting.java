package io.lockstep.order;

import io.lockstep.machine.StateMachine;
import io.lockstep.request.Request;

/**
 * Which pairs of requests commute (paper §3, S12: same outputs and same final state in either
 * order), so that an ordering protocol may apply one before the other without the order rule.
 * The runtime builds it from the state machine it runs ({@link #declaredBy}) and hands it to the
 * protocol in {@link ProtocolSetup#commuting()}, because a protocol is created without seeing
 * the machine; a protocol that cannot use it ignores it and orders everything.
 *
 * <p>Only commands of two different clients can commute here: one client's requests stay in the
 * order it issued them (O1, and the executor's sessions expect it). Implementations must be
 * pure and deterministic: a protocol core calls them while ordering, and replicas that answered
 * differently would apply different orders.
 */
@FunctionalInterface
public interface Commuting {
  /** Declares nothing commuting: every request is ordered (the default). */
  Commuting NOTHING = (a, b) -> false;

  /** True if {@code a} and {@code b} may be applied in either order. */
  boolean commute(Request a, Request b);

  /**
   * What {@code machine} declares ({@link StateMachine#commutes}), for commands of two clients;
   * {@link #NOTHING} for a machine that keeps the default (declares nothing), so a protocol can
   * tell at once that it need not look for requests to apply early.
   */
  static Commuting declaredBy(StateMachine machine) {
    if (!declaresAnything(machine)) {
      return NOTHING;
    }
    return (a, b) -> a.kind() == Request.Kind.COMMAND && b.kind() == Request.Kind.COMMAND
        && !a.client().equals(b.client()) && machine.commutes(a.command(), b.command());
  }

  /** Whether {@code machine}'s class overrides {@link StateMachine#commutes}. */
  private static boolean declaresAnything(StateMachine machine) {
    try {
      return machine.getClass().getMethod("commutes", byte[].class, byte[].class)
          .getDeclaringClass() != StateMachine.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("StateMachine declares commutes(byte[], byte[])", e);
    }
  }
}
