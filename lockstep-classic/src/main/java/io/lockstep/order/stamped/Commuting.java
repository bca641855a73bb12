package io.lockstep.order.stamped;

import io.lockstep.machine.StateMachine;
import io.lockstep.request.Request;

/**
 * Which pairs of requests commute (paper §3, S12: same outputs and same final state in either
 * order), so that an ordering protocol may apply one before the other without the order rule.
 * Only commands of two different clients can commute here: one client's requests stay in the
 * order it issued them (O1, and the executor's sessions expect it).
 */
@FunctionalInterface
public interface Commuting {
  /** Declares nothing commuting: every request is ordered (the default). */
  Commuting NOTHING = (a, b) -> false;

  /** True if {@code a} and {@code b} may be applied in either order. */
  boolean commute(Request a, Request b);

  /** What {@code machine} declares ({@link StateMachine#commutes}), for commands of two clients. */
  static Commuting declaredBy(StateMachine machine) {
    return (a, b) -> a.kind() == Request.Kind.COMMAND && b.kind() == Request.Kind.COMMAND
        && !a.client().equals(b.client()) && machine.commutes(a.command(), b.command());
  }
}
