package io.lockstep.order.cuid;

import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Uid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ABCAST variant's coordinator (Birman and Joseph; {@link UidChoice#ABCAST}), one per
 * {@link CandidateOrder}: a replica sends its candidate for r to r's coordinator only; the
 * coordinator, once it holds the candidates of every replica not known failed, broadcasts the
 * largest as r's final uid. The coordinator is the replica that disseminated r or, once that
 * one is declared failed, the lowest-numbered replica not declared failed: the failure
 * detection assumption makes every live replica hold the failed coordinator's final uid by
 * then if any does, so the new coordinator decides only a request whose uid nobody accepted.
 *
 * <p>Across a rejoin (paper §7.2, {@link CandidateJoin}) "not known failed" becomes "whose
 * candidate r needs" ({@link CandidateCount#needs}: not declared failed, and r above the
 * replica's boundary if it rejoined), for both the coordinator and the candidates it waits for.
 * A rejoined replica therefore never coordinates or proposes for a request below its boundary,
 * its own requests of its earlier life included (their takeover coordinator keeps them). A
 * coordinator decides r only once it holds, from every other replica r needs, a broadcast
 * acknowledging r: the donor acknowledges a request above the boundary only after its
 * admission, in the same FIFO broadcast, so the coordinator knows the joiner is needed before
 * it can choose r's uid without the joiner's candidate.
 */
final class AbcastCoordinator {
  private final CandidateOrder order;
  private final int self;
  private long takeovers;
  /** Requests whose candidates are all here, waiting only for a needed replica's acknowledgement. */
  private final Map<Proposal.Id, Proposal> awaitingAcks = new LinkedHashMap<>();
  /** The largest counter of a final uid delivered here. */
  private long finalMax;

  AbcastCoordinator(CandidateOrder order) {
    this.order = order;
    this.self = order.config.self();
  }

  /** How many uids this replica chose as the coordinator that took over a failed one. */
  long takeovers() {
    return takeovers;
  }

  /**
   * ABCAST: r's coordinator is the replica that disseminated it while r needs that one's
   * candidate, else the lowest-numbered replica whose candidate r needs (a unique choice once
   * the failure, or the admission, is delivered everywhere).
   */
  int coordinator(Proposal p) {
    CandidateCount count = order.count;
    if (count.needs(p.id.origin(), p.id)) {
      return p.id.origin();
    }
    for (int m : order.members) {
      if (count.needs(m, p.id)) {
        return m;
      }
    }
    throw new IllegalStateException("replica " + self + " needs no replica's candidate for "
        + p.id + " (every replica declared failed?)");
  }

  /** ABCAST: this replica's candidate for r goes to r's coordinator (which may be itself). */
  void offer(Proposal p) {
    int to = coordinator(p);
    if (to == self) {
      decide(p);
    } else {
      order.out.send(to, new CuidMessage.Candidate(self, p.id.origin(), p.id.seq(), p.own.time()));
    }
  }

  /** ABCAST: a candidate sent to this replica as coordinator. */
  void receive(int from, CuidMessage.Candidate c) {
    if (c.origin() != from || from == self
        || !order.index.containsKey(from) || !order.index.containsKey(c.requestOrigin())) {
      order.drop();
      return;
    }
    Proposal.Id id = new Proposal.Id(c.requestOrigin(), c.requestSeq());
    if (!order.count.needs(from, id)) {
      order.drop(); // declared failed, or a rejoined replica's for a request below its boundary
      return;
    }
    if (!order.pending(id) && order.delivered(id)) {
      return; // a resend that crossed the final uid: the request was processed
    }
    Proposal p = order.proposal(id);
    p.candidates.put(from, new Uid(c.counter(), from));
    decide(p);
  }

  /**
   * ABCAST, at r's coordinator: once it has seen r and holds a candidate from every replica r
   * needs, and a broadcast of each acknowledging r (the boundary, see the class comment),
   * uid(r) := the largest held, or a fresh candidate of its own if some replica's candidate was
   * lost with it, disseminated once by the reliable broadcast.
   */
  void decide(Proposal p) {
    if (p.uid != null || p.finalUid != null || p.decided || !p.seen()
        || coordinator(p) != self) {
      awaitingAcks.remove(p.id);
      return;
    }
    Uid max = order.count.largestNeeded(p);
    if (max == null) {
      return;
    }
    if (!order.count.acknowledgedByNeeded(p)) {
      awaitingAcks.put(p.id, p);
      return;
    }
    awaitingAcks.remove(p.id);
    if (order.count.someCandidateLost(p)) {
      // A replica that failed may have processed a request with a uid below its lost candidate
      // for r. It did so only once every live replica, this one included, had acknowledged
      // that request's final uid (client quiescence), so a uid above every final uid delivered
      // here (and ACCEPT) orders r after it, as that replica did.
      Uid fresh = order.ledger.fresh(finalMax);
      max = max.before(fresh) ? fresh : max;
    }
    p.decided = true;
    if (p.id.origin() != self) {
      takeovers++;
    }
    order.issue(Kind.FINAL, null, p.id.origin(), p.id.seq(), max.time(), max.process());
  }

  /** A broadcast was delivered: a decision waiting for its acknowledgement of r may be taken. */
  void acknowledged() {
    if (!awaitingAcks.isEmpty()) {
      List.copyOf(awaitingAcks.values()).forEach(this::decide);
    }
  }

  /**
   * {@code joiner} was readmitted here. Its candidates held from its earlier life for requests
   * above its boundary are void: those wait for its new candidate (the old one, proposed with
   * what it saw before its crash, could be below the new one and so break UID1 at the joiner).
   * Below the boundary they count as a failed replica's do. The requests this replica has seen go to their coordinator
   * again, which may now be the joiner.
   */
  void readmitted(int joiner) {
    for (Proposal p : order.proposals()) {
      if (order.count.needs(joiner, p.id)) {
        p.candidates.remove(joiner);
      }
    }
    List.copyOf(order.ledger.seenNotAccepted().values()).forEach(this::offer);
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
    finalMax = Math.max(finalMax, uid.time());
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
