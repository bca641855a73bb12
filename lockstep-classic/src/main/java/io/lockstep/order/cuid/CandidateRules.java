package io.lockstep.order.cuid;

import io.lockstep.order.Commuting;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Uid;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two-phase rules of replica-generated uids (paper §3.2.3) as the fail-stop {@link
 * CandidateOrder} applies them, one per order: the requests being ordered here ({@link
 * Proposal}s, by id), what a delivered request, candidate, final uid or admission does to them,
 * seeing a request (this replica proposes its candidate uid), accepting it once its uid is known,
 * and the order rule, which hands the stable accepted requests to the executor. {@link
 * CandidateLedger} keeps SEEN, ACCEPT and the stability test itself; {@link CandidateCount}
 * says which candidates a uid waits for.
 *
 * <p>Kept apart from {@link CandidateOrder}, which runs these rules on the stamped schemes'
 * reliable broadcast and failure detection and halts and rejoins around them: here is what a
 * replica does with what it delivered, there how it is delivered and when a peer counts as
 * failed. The rules send only through the order's broadcast ({@link CandidateOrder#issue}) and
 * ABCAST's coordinator ({@link AbcastCoordinator}).
 */
final class CandidateRules {
  private final CandidateOrder order;
  private final int self;
  private final UidChoice choice;
  private final CommutingSkip commutingSkip;
  private final Map<Proposal.Id, Proposal> proposals = new HashMap<>();
  private long appliedEarly;

  CandidateRules(CandidateOrder order, UidChoice choice, Commuting commuting) {
    this.order = order;
    this.self = order.config.self();
    this.choice = choice;
    this.commutingSkip = new CommutingSkip(commuting);
  }

  /** A request, candidate, final uid or admission (this replica's own or delivered). */
  void apply(Carry c) {
    if (c.kind() == Kind.REQUEST || c.kind() == Kind.BARRIER) {
      Proposal p = proposals.computeIfAbsent(new Proposal.Id(c.origin(), c.seq()), Proposal::new);
      p.kind = c.kind();
      p.request = c.request();
      p.wallClock = c.wallClock();
      if (order.count.needs(self, p.id)) {
        see(p);
      } else {
        order.join.inherit(p); // below this rejoined replica's boundary
        tryAccept(p);
      }
    } else if (c.kind() == Kind.CANDIDATE) {
      Proposal.Id id = new Proposal.Id(c.requestOrigin(), c.requestSeq());
      if (!proposals.containsKey(id) && order.delivered(id)) {
        return; // a late candidate for a request already processed (its proposer was failed)
      }
      Proposal p = proposals.computeIfAbsent(id, Proposal::new);
      p.candidates.put(c.origin(), new Uid(c.counter(), c.origin()));
      p.carriedBy.put(c.origin(), c.seq());
      tryAccept(p);
    } else if (c.kind() == Kind.FINAL) {
      order.abcast.applyFinal(c);
    } else if (c.kind() == Kind.ADMIT) {
      readmit(c);
    }
  }

  /**
   * An admission of {@code c.requestOrigin()}, delivered or issued ({@link CandidateJoin}); a
   * replica that had not declared the joiner failed waited for its candidates, which requests
   * below the boundary now do without (ABCAST: {@link AbcastCoordinator#readmitted}).
   */
  private void readmit(Carry c) {
    if (!order.join.readmit(c)) {
      return;
    }
    if (choice == UidChoice.ABCAST) {
      order.abcast.readmitted(c.requestOrigin());
    } else {
      List.copyOf(order.ledger.seenNotAccepted().values()).forEach(this::tryAccept);
    }
  }

  /**
   * Seeing r: cuid(i, r) := (max(SEEN, ACCEPT) + 1, i), then disseminate it (every replica) or
   * hand it to r's coordinator (ABCAST).
   */
  private void see(Proposal p) {
    Uid own = order.ledger.see(p);
    if (choice == UidChoice.EVERY_REPLICA) {
      order.issue(Kind.CANDIDATE, null, p.id.origin(), p.id.seq(), own.time());
    } else {
      p.candidates.put(self, p.own);
      order.abcast.offer(p);
      tryAccept(p); // its final uid may have come first
    }
  }

  /**
   * Accepts r once its uid is known: every replica, the largest candidate once every replica
   * not known failed has proposed one; ABCAST, the uid its coordinator disseminated.
   */
  void tryAccept(Proposal p) {
    if (p.uid != null || (!p.seen() && !p.inherited)) {
      return;
    }
    Uid uid = choice == UidChoice.ABCAST ? p.finalUid : order.count.largest(p);
    if (uid == null) {
      return;
    }
    order.ledger.accept(p, uid);
    order.join.accepted(p);
  }

  /**
   * The order rule: the stable accepted request with the smallest uid, while there is one; then
   * a request declared commuting with everything it might follow, if there is one (S12).
   */
  void process() {
    CandidateLedger ledger = order.ledger;
    while (!order.join.blocksOrder()) {
      for (Proposal p = ledger.firstAccepted(); p != null && stable(p);
          p = ledger.firstAccepted()) {
        ledger.processed(p);
        hand(p);
      }
      Proposal early = commutingSkip.next(ledger.accepted(), ledger.seenNotAccepted(),
          order.count::acceptedEverywhere);
      if (early == null) {
        return;
      }
      ledger.processed(early);
      appliedEarly++;
      hand(early);
    }
  }

  /** Hands {@code p}, no longer pending, to the executor (or grants its read). */
  private void hand(Proposal p) {
    proposals.remove(p.id);
    order.position++;
    if (p.kind == Kind.REQUEST) {
      order.time = Math.max(order.time, p.wallClock);
      order.out.stable.add(new Ordered(order.position, order.time, p.request));
      order.handedThrough = order.position;
    } else {
      Long readId = order.barriers.remove(p.id);
      if (readId != null) {
        order.out.reads.add(new Ready.ReadGrant(readId, order.position));
      }
    }
  }

  /**
   * Stability test ({@link CandidateLedger#stableHere}); with quiescence, also every live
   * replica has every candidate that made the uid, so it has accepted r too.
   */
  private boolean stable(Proposal p) {
    return order.ledger.stableHere(p) && order.count.acceptedEverywhere(p);
  }

  /**
   * Requests applied before the order rule reached them because they commute with everything
   * they might follow (S12).
   */
  long appliedEarly() {
    return appliedEarly;
  }

  /** The requests being ordered here. */
  Collection<Proposal> proposals() {
    return proposals.values();
  }

  /** Whether {@code id} is being ordered here (seen, or named by a candidate or uid). */
  boolean pending(Proposal.Id id) {
    return proposals.containsKey(id);
  }

  /** What this replica knows of {@code id}, recorded from now on. */
  Proposal proposal(Proposal.Id id) {
    return proposals.computeIfAbsent(id, Proposal::new);
  }

  /** Requests and read barriers known here (by a candidate at least) and not yet processed. */
  int unordered() {
    return proposals.size();
  }
}
