package io.lockstep.order.cuid;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.FalseSuspicion;
import java.util.Map;

/**
 * A replica-uid replica suspected while it runs ({@link FalseSuspicion}, which has the argument):
 * it tells a suspected peer that still speaks, halts when a peer's broadcast suspects it, and
 * refuses its clients from then on. One per {@link CandidateOrder}.
 */
final class CandidateHalt {
  private final CandidateOrder order;
  final FalseSuspicion suspicion;
  /** Why this replica halted (a peer suspects it), or "" while it serves. */
  private String halted = "";

  CandidateHalt(CandidateOrder order) {
    this.order = order;
    this.suspicion = new FalseSuspicion(order.config.self(), order.index.get(order.config.self()),
        order.config.resendMillis(), order.config.failureTimeoutMillis());
  }

  /** Why this replica halted, or "" while it serves. */
  String halted() {
    return halted;
  }

  /**
   * {@code message} arrived from {@code from}: if this replica suspects the sender, which hears
   * nothing from here, hand it a broadcast that says so (at most once per interval).
   */
  void heard(int from, ProtocolMessage message, long now) {
    if (order.detector.suspects(from) && !(message instanceof CuidMessage.JoinRequest)
        && suspicion.due(from, now)) {
      Carry own = order.latest.get(order.config.self());
      if (own == null || (own.suspects() & (1L << order.index.get(from))) == 0) {
        own = order.issue(Kind.NULL, null, -1, 0, 0, -1); // none since the suspicion began
      }
      order.out.send(from, own);
    }
  }

  /** Whether {@code c}, not yet received, says this replica failed: then it has halted. */
  boolean haltsOn(Carry c) {
    if (!suspicion.halts(c.origin(), c.suspects(), c.seq(),
        order.broadcast.receivedThrough(c.origin()), order.detector.suspects(c.origin()))) {
      return false;
    }
    halt(c.origin());
    return true;
  }

  /**
   * A peer's broadcast says this replica failed: it stops for good (fail-stop), refusing its
   * clients' pending reads and requests so they retry elsewhere rather than wait.
   */
  private void halt(int by) {
    halted = suspicion.reason(by, "replica-uid", order.config.failureTimeoutMillis());
    order.brokenAssumptionUnderHalt(halted);
    Map<Proposal.Id, Long> barriers = order.barriers;
    barriers.values().forEach(readId ->
        order.out.redirects.add(new Ready.Redirect(null, readId, -1, halted, true)));
    barriers.clear();
    for (Proposal p : order.proposals()) {
      if (p.id.origin() == order.config.self() && p.kind == Kind.REQUEST) {
        order.out.redirects.add(new Ready.Redirect(p.request, -1, -1, halted, true));
      }
    }
  }
}
