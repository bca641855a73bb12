package io.lockstep.order.cuid;

import io.lockstep.order.Input;
import io.lockstep.order.Snapshot;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.JoinRequest;
import io.lockstep.order.cuid.CuidMessage.JoinState;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.JoinWait;
import io.lockstep.order.stamped.Uid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restarted replica rejoins the fail-stop replica-uid order (paper §7.2), one per
 * {@link CandidateOrder}, in both roles.
 *
 * <p>Unlike the stamped schemes, a replica's candidate is part of a uid, so whether request r's
 * uid waits for the joiner J's candidate must be decided identically everywhere, although
 * replicas learn of the join at different moments. <b>The boundary.</b> The donor D broadcasts
 * an {@link Kind#ADMIT}; its acknowledgement counts B are the boundary: request (o, s) needs J's
 * candidate exactly when s &gt; B[o]. Every replica reads that off the request itself, and knows
 * B before it can accept any such request: D saw (o, s) only after issuing the admission, so
 * D's candidate for it, which acceptance needs, follows the admission in D's FIFO broadcasts.
 * (If D is declared failed first, every live replica holds the same of D's broadcasts.) D
 * issues the admission only once every live replica reports suspecting J and holding exactly
 * as many of J's old broadcasts as D: so J's new broadcasts follow the same count of old ones
 * everywhere, and the candidates of J's earlier life, which count in a uid like any failed
 * replica's ({@link CandidateOrder}), are the same everywhere.
 *
 * <p><b>The state.</b> Once every live replica acknowledged the admission (so none drops J's new
 * broadcasts, and the admission outlives D), D stops processing until the executor's snapshot
 * at its position is taken ({@code wantsSnapshot}), and sends J that snapshot with its
 * reception counts (at least B), failed set, boundaries, latest broadcasts and the requests it
 * has not processed with their candidates. J proposes candidates only for requests above its
 * boundary, its first above D's SEEN and ACCEPT (UID2) and above every candidate of its earlier
 * life D holds (uids stay unique). It processes nothing while a request below its boundary is
 * unaccepted: it has no candidate of its own to bound that request's uid by, so its stability
 * test could not see it. J's new broadcasts are numbered after its old ones, and each origin
 * retransmits to J what J has not acknowledged, as in the stamped schemes' integration.
 *
 * <p><b>ABCAST.</b> The same join, with what the coordinators hold accounted for (see {@link
 * AbcastCoordinator}): the state carries the final uids the donor holds for requests it has not
 * processed (the broadcasts that carried them) instead of candidates, and J's counter starts
 * above them too; candidates gathered by a coordinator are not handed over, since each replica
 * resends its own to the request's coordinator, J included, until the request is accepted.
 */
final class CandidateJoin {
  private static final int NONE = -1;
  private final CandidateOrder order;
  private final int self;
  private boolean waitingForState;
  private final JoinWait waiting;
  /** Joiners admitted here (their admission delivered), until one of their broadcasts is. */
  private final Map<Integer, Carry> admitting = new HashMap<>();
  /** The joiner this donor stopped processing for, waiting for the executor's snapshot. */
  private int snapshotFor = NONE;
  /** States sent, resent if the joiner asks again, until it is heard from. */
  private final Map<Integer, JoinState> sent = new HashMap<>();
  /** After joining: requests below this replica's boundary not accepted yet. */
  private final Set<Proposal.Id> unbounded = new HashSet<>();

  CandidateJoin(CandidateOrder order, boolean rejoining) {
    this.order = order;
    this.self = order.config.self();
    this.waiting = new JoinWait(self, order.config.members(),
        order.config.failureTimeoutMillis(),
        "rejoining the replica-uid order (paper §7.2): waiting for a live replica's state");
    this.waitingForState = rejoining;
  }

  /** Whether this replica is rejoining and has no state yet. */
  boolean waitingForState() {
    return waitingForState;
  }

  /**
   * One input while waiting for the state: ask, refuse requests as busy, take the state.
   *
   * @return true once the state was taken (the order then goes on as a member)
   */
  boolean stepWhileJoining(Input input) {
    if (input instanceof Input.Tick t) {
      order.now = Math.max(order.now, t.now());
      order.wallClock = t.wallClock();
      int ask = waiting.askAt(order.now);
      if (ask != JoinWait.NOT_YET) {
        order.out.send(ask, new JoinRequest(self));
      }
    } else if (input instanceof Input.Receive r) {
      if (r.message() instanceof JoinState s && s.joiner() == self && fits(s)) {
        install(s);
        return true;
      }
      if (r.message() instanceof JoinRequest j && j.joiner() == r.from()
          && order.index.containsKey(r.from()) && r.from() != self) {
        waiting.alsoJoining(r.from());
      }
    } else {
      waiting.refuseBusy(input, order.out.redirects);
    }
    return false; // broadcasts before the state are dropped: their origins retransmit them
  }

  /** Why this replica cannot serve yet, for operators. */
  String waitingReason() {
    return waiting.reason();
  }

  /** A state of the right shape: anything else is dropped, and the joiner asks again. */
  private boolean fits(JoinState s) {
    int n = order.config.members().size();
    for (Carry c : s.latest()) {
      if (!order.index.containsKey(c.origin()) || c.acks().length != n) {
        return false;
      }
    }
    for (Map.Entry<Integer, long[]> b : s.boundaries().entrySet()) {
      if (!order.index.containsKey(b.getKey()) || b.getValue().length != n) {
        return false;
      }
    }
    for (Carry c : s.pending()) {
      boolean kind = c.kind() == Kind.REQUEST || c.kind() == Kind.BARRIER
          || c.kind() == Kind.CANDIDATE || (c.kind() == Kind.FINAL
          && order.index.containsKey(c.requestOrigin())
          && order.index.containsKey(c.winner()));
      if (!kind || !order.index.containsKey(c.origin()) || c.acks().length != n) {
        return false;
      }
    }
    return s.receivedThrough().length == n && (s.failed() >> n) == 0
        && s.boundaries().containsKey(self);
  }

  /** Takes over the donor's state: this replica stands where the donor stood. */
  private void install(JoinState s) {
    List<Integer> members = order.config.members();
    long[] through = s.receivedThrough();
    for (int i = 0; i < members.size(); i++) {
      int m = members.get(i);
      order.broadcast.resume(m, through[i]);
      if ((s.failed() & (1L << i)) != 0 && m != self) {
        order.failed.add(m);
        order.broadcast.failed(m);
        order.detector.suspect(m);
      }
    }
    for (Carry c : s.latest()) {
      if (c.origin() != self) {
        order.latest.put(c.origin(), c);
      }
    }
    order.boundaries.putAll(s.boundaries());
    order.ledger.restore(s.counterFloor(), s.acceptMax());
    order.position = s.position();
    order.time = s.time();
    order.handedThrough = s.snapshotIndex();
    order.out.install = new Snapshot(s.snapshotIndex(), 0, s.time(), members, s.snapshot());
    waitingForState = false;
    // Requests before their candidates: a candidate for a request not held counts as late.
    for (Carry c : s.pending()) {
      order.apply(c);
    }
  }

  /** Replica {@code joiner} asks this one for the order's state. */
  void joinRequested(int joiner) {
    JoinState state = sent.get(joiner);
    if (state != null) {
      order.out.send(joiner, state); // lost or not yet arrived: cheap to send again
    } else if (admitting.containsKey(joiner)) {
      if (snapshotFor == NONE && admissionHeldEverywhere(admitting.get(joiner))) {
        snapshotFor = joiner; // stop processing until the executor's state here is captured
      }
    } else if (order.failed.contains(joiner) && donorFor(joiner) == self
        && everyoneHoldsAsMuchOf(joiner) && order.now != Long.MIN_VALUE) {
      order.admit(joiner);
    }
    // Otherwise not yet: it asks again each failure timeout.
  }

  /**
   * The lowest-numbered replica not declared failed, other than the joiner: one donor at a
   * time, so two admissions with different boundaries are never both under way.
   */
  private int donorFor(int joiner) {
    for (int m : order.config.members()) {
      if (m != joiner && !order.failed.contains(m)) {
        return m;
      }
    }
    return NONE;
  }

  /**
   * Every live replica's latest broadcast suspects the joiner and holds exactly as many of its
   * old broadcasts as this one (this one relays what they lack, as for any failed origin).
   */
  private boolean everyoneHoldsAsMuchOf(int joiner) {
    int j = order.index.get(joiner);
    long held = order.broadcast.receivedThrough(joiner);
    for (int m : order.config.members()) {
      if (m == self || m == joiner || order.failed.contains(m)) {
        continue;
      }
      Carry last = order.latest.get(m);
      if (last == null || (last.suspects() & (1L << j)) == 0 || last.ack(j) != held) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every live replica delivered the admission, and this one holds every request below the
   * boundary (all of them, with its reception counts at least the boundary's).
   */
  private boolean admissionHeldEverywhere(Carry admit) {
    int origin = order.index.get(admit.origin());
    for (int m : order.config.members()) {
      int i = order.index.get(m);
      if (m == admit.requestOrigin() || order.failed.contains(m)) {
        continue;
      }
      if (order.broadcast.receivedThrough(m) < admit.ack(i)) {
        return false;
      }
      Carry last = order.latest.get(m);
      if (m != self && m != admit.origin() && (last == null || last.ack(origin) < admit.seq())) {
        return false;
      }
    }
    return true;
  }

  /**
   * An admission of {@code c.requestOrigin()}, delivered or issued here: its acknowledgement
   * counts become the joiner's boundary, and the joiner counts as live again (its new
   * broadcasts are delivered, its acknowledgements awaited; its old latest broadcast says
   * nothing of it now).
   *
   * @return false for this replica's own admission (its boundary came with the state)
   */
  boolean readmit(Carry c) {
    int joiner = c.requestOrigin();
    if (joiner == self) {
      return false;
    }
    order.boundaries.put(joiner, c.acks());
    order.failed.remove(joiner);
    order.readmitted(joiner);
    order.broadcast.readmit(joiner);
    order.detector.readmit(joiner);
    order.latest.remove(joiner);
    admitting.put(joiner, c);
    sent.remove(joiner);
    return true;
  }

  /**
   * The donor that admitted a joiner stops for the snapshot as soon as the admission is held
   * everywhere, rather than when the joiner next asks (a failure timeout later).
   */
  void poll() {
    if (snapshotFor != NONE) {
      return;
    }
    for (Map.Entry<Integer, Carry> a : admitting.entrySet()) {
      if (a.getValue().origin() == self && !sent.containsKey(a.getKey())
          && admissionHeldEverywhere(a.getValue())) {
        snapshotFor = a.getKey();
        return;
      }
    }
  }

  /** {@code replica} was declared failed (again): what was under way for it is void. */
  void declaredFailed(int replica) {
    admitting.remove(replica);
    sent.remove(replica);
    if (snapshotFor == replica) {
      snapshotFor = NONE;
    }
  }

  /** A broadcast of {@code origin} was delivered: if it rejoined, it has its state. */
  void heardFrom(int origin) {
    if (admitting.remove(origin) != null) {
      sent.remove(origin);
    }
  }

  /** Whether this donor waits for the executor's snapshot. */
  boolean awaitingSnapshot() {
    return snapshotFor != NONE;
  }

  /** Whether this replica's order rule must wait (see the class comment). */
  boolean blocksOrder() {
    return snapshotFor != NONE || !unbounded.isEmpty();
  }

  /** This rejoined replica holds {@code p} below its boundary: no candidate of its own. */
  void inherit(Proposal p) {
    p.inherited = true;
    if (p.uid == null) {
      unbounded.add(p.id);
    }
  }

  /** {@code p} was accepted here. */
  void accepted(Proposal p) {
    unbounded.remove(p.id);
  }

  /** The executor's state was captured: if this donor waits for it, the state goes out. */
  void snapshotTaken(Input.SnapshotTaken taken) {
    if (snapshotFor == NONE || taken.position() != order.handedThrough) {
      return; // an earlier periodic snapshot: the one asked for comes next
    }
    JoinState state = joinState(snapshotFor, taken);
    sent.put(snapshotFor, state);
    order.out.send(snapshotFor, state);
    snapshotFor = NONE;
  }

  /**
   * The state a joiner takes over (paper §7.2), with the executor's snapshot {@code taken} at
   * this replica's position: requests not processed, each followed by nothing but its own
   * broadcast, then every candidate (ABCAST: final uid) for them, as the broadcasts that carried
   * them (a joiner drops a candidate for a request it does not hold as late).
   */
  private JoinState joinState(int joiner, Input.SnapshotTaken taken) {
    List<Integer> members = order.members;
    long[] through = new long[members.size()];
    long failedMask = 0;
    for (int i = 0; i < through.length; i++) {
      through[i] = order.broadcast.receivedThrough(members.get(i));
      failedMask |= order.failed.contains(members.get(i)) ? 1L << i : 0;
    }
    long floor = Math.max(order.ledger.seenMax(), order.ledger.acceptMax());
    long[] none = new long[members.size()];
    List<Carry> requests = new ArrayList<>();
    List<Carry> candidates = new ArrayList<>();
    for (Proposal p : order.proposals()) {
      if (p.kind != null) {
        requests.add(new Carry(p.id.origin(), p.id.seq(), none, 0, p.wallClock, p.kind, -1, 0,
            0, p.request));
      }
      for (Map.Entry<Integer, Uid> c : p.candidates.entrySet()) {
        floor = c.getKey() == joiner ? Math.max(floor, c.getValue().time()) : floor;
      }
      candidates.addAll(carriers(p, none));
      // ABCAST: a final uid may be a candidate of the joiner's earlier life sent to another
      // coordinator, which this replica holds only as the uid (uniqueness across the rejoin).
      floor = p.finalUid == null ? floor : Math.max(floor, p.finalUid.time());
    }
    requests.addAll(candidates);
    List<Carry> others = new ArrayList<>();
    order.latest.forEach((origin, c) -> {
      if (origin != joiner) {
        others.add(c);
      }
    });
    return new JoinState(joiner, order.handedThrough, taken.state().toByteArray(), order.position,
        order.time, through, failedMask, floor, order.ledger.acceptMax(), order.boundaries,
        others, requests);
  }

  /**
   * The broadcasts this replica delivered that name {@code p}'s uid: every replica's candidate
   * or, in ABCAST, the coordinator's final uid (candidates sent to a coordinator are no
   * broadcasts, and their senders resend them).
   */
  private static List<Carry> carriers(Proposal p, long[] none) {
    List<Carry> out = new ArrayList<>();
    for (Map.Entry<Integer, Long> by : p.carriedBy.entrySet()) {
      if (p.finalUid != null) {
        out.add(new Carry(by.getKey(), by.getValue(), none, 0, 0, Kind.FINAL, p.id.origin(),
            p.id.seq(), p.finalUid.time(), null, p.finalUid.process()));
      } else {
        out.add(new Carry(by.getKey(), by.getValue(), none, 0, 0, Kind.CANDIDATE, p.id.origin(),
            p.id.seq(), p.candidates.get(by.getKey()).time(), null));
      }
    }
    return out;
  }
}
