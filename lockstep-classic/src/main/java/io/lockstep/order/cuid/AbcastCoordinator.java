package io.lockstep.order.cuid;

import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Uid;

/**
 * The ABCAST variant's coordinator (Birman and Joseph; {@link UidChoice#ABCAST}), one per
 * {@link CandidateOrder}: a replica sends its candidate for r to r's coordinator only; the
 * coordinator, once it holds the candidates of every replica not known failed, broadcasts the
 * largest as r's final uid. The coordinator is the replica that disseminated r or, once that
 * one is declared failed, the lowest-numbered replica not declared failed: the failure
 * detection assumption makes every live replica hold the failed coordinator's final uid by
 * then if any does, so the new coordinator decides only a request whose uid nobody accepted.
 */
final class AbcastCoordinator {
  private final CandidateOrder order;
  private final int self;
  private long takeovers;

  AbcastCoordinator(CandidateOrder order) {
    this.order = order;
    this.self = order.config().self();
  }

  /** How many uids this replica chose as the coordinator that took over a failed one. */
  long takeovers() {
    return takeovers;
  }

  /**
   * ABCAST: r's coordinator is the replica that disseminated it while that one is not known
   * failed, else the lowest-numbered replica not known failed (a unique choice once the
   * failure is declared everywhere).
   */
  int coordinator(Proposal p) {
    if (!order.failed.contains(p.id.origin())) {
      return p.id.origin();
    }
    for (int m : order.members()) {
      if (!order.failed.contains(m)) {
        return m;
      }
    }
    throw new IllegalStateException("replica " + self + " declared every replica failed");
  }

  /** ABCAST: this replica's candidate for r goes to r's coordinator (which may be itself). */
  void offer(Proposal p) {
    int to = coordinator(p);
    if (to == self) {
      decide(p);
    } else {
      order.out().send(to, new CuidMessage.Candidate(self, p.id.origin(), p.id.seq(), p.own.time()));
    }
  }

  /** ABCAST: a candidate sent to this replica as coordinator. */
  void receive(int from, CuidMessage.Candidate c) {
    if (c.origin() != from || from == self
        || !order.index().containsKey(from) || !order.index().containsKey(c.requestOrigin())
        || order.failed.contains(from)) {
      order.drop();
      return;
    }
    Proposal.Id id = new Proposal.Id(c.requestOrigin(), c.requestSeq());
    if (!order.pending(id) && order.delivered(id)) {
      return; // a resend that crossed the final uid: the request was processed
    }
    Proposal p = order.proposal(id);
    p.candidates.put(from, new Uid(c.counter(), from));
    decide(p);
  }

  /**
   * ABCAST, at r's coordinator: once it has seen r and holds a candidate from every replica not
   * known failed, uid(r) := the largest, disseminated once by the reliable broadcast.
   */
  void decide(Proposal p) {
    if (p.uid != null || p.finalUid != null || p.decided || !p.seen()
        || coordinator(p) != self) {
      return;
    }
    Uid max = order.count().largestLive(p);
    if (max != null) {
      p.decided = true;
      if (p.id.origin() != self) {
        takeovers++;
      }
      order.issue(Kind.FINAL, null, p.id.origin(), p.id.seq(), max.time(), max.process());
    }
  }

  /** ABCAST: r's final uid, from its coordinator (or this replica as coordinator). */
  void applyFinal(Carry c) {
    Proposal.Id id = new Proposal.Id(c.requestOrigin(), c.requestSeq());
    Uid uid = new Uid(c.counter(), c.winner());
    if (!order.pending(id) && order.delivered(id)) {
      order.brokenAssumption("replica " + self + ": " + c + " for a request already processed"
          + " (two coordinators chose its uid: the failure detection assumption broke?)");
      return;
    }
    Proposal p = order.proposal(id);
    if (p.finalUid != null) {
      if (!p.finalUid.equals(uid)) {
        order.brokenAssumption("replica " + self + ": " + c + " after final uid " + p.finalUid
            + " (two coordinators chose its uid: the failure detection assumption broke?)");
      }
      return;
    }
    p.finalUid = uid;
    p.carriedBy.put(c.origin(), c.seq());
    order.tryAccept(p);
  }
}
