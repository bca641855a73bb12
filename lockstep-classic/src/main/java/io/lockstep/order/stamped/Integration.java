package io.lockstep.order.stamped;

import io.lockstep.order.Input;
import io.lockstep.order.Snapshot;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedMessage.JoinRequest;
import io.lockstep.order.stamped.StampedMessage.JoinState;
import io.lockstep.order.stamped.StampedMessage.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Integration of a restarted replica into the stamped order (paper §7.2), one per
 * {@link StampedOrder}, in both roles.
 *
 * <p><b>Joiner.</b> A replica whose storage shows it ran before lost its order (it lived in
 * memory). It asks a live replica to let it join ({@link JoinRequest}, to another one each
 * failure timeout) and refuses requests as busy until a {@link JoinState} arrives; then it takes
 * over the donor's state and goes on as a member.
 *
 * <p><b>Donor.</b> A live replica that has declared the joiner failed orders a {@link Kind#JOIN}
 * for it. Its uid is r_join: every replica, on processing it, waits for the joiner again, and
 * the joiner's uids all sort after it (its clock starts at the donor's, above every uid the
 * donor had received). The donor stops processing right after its join until the executor's
 * snapshot there is taken ({@code wantsSnapshot}), so the snapshot is the state e[r_join], and
 * sends it with the order's state variables and its pending requests.
 *
 * <p><b>Relays (§7.2) and the hold (§7.2.1).</b> The joiner needs every broadcast above what the
 * donor had received of each origin. Here each origin numbers its broadcasts and every replica
 * keeps its own until every live peer acknowledges them, so the origin itself is the relay: on
 * delivering the join it readmits the joiner ({@code ReliableBroadcast.readmit}) and
 * retransmits to it everything it has not acknowledged. Nothing the joiner needs was forgotten
 * before: the donor processes the join only once every live replica acknowledged receiving it
 * (the waiting test's acknowledgement rule), so each origin's broadcasts the donor had not
 * received were issued after that origin delivered the join. The joiner holds a broadcast
 * received directly until every earlier one of its origin has arrived: it delivers each
 * origin's broadcasts in their order, so "no more relays from c" is the arrival of the one
 * before. Test I (real time) cannot see that hold: a retransmitted request may arrive later
 * than Δ after its uid, so the joiner trusts test I only for uids well past its integration
 * ({@link UidScheme#integrationHoldMillis}) and uses the waiting test before.
 */
final class Integration {
  private final StampedOrder order;
  private final int self;
  private final boolean holdDirect;
  private boolean waitingForState;
  private final JoinWait waiting;
  private long joinedAtWall = Long.MIN_VALUE;
  /** Joiners whose join this replica delivered but has not processed yet. */
  private final Set<Integer> admitting = new HashSet<>();
  /** Joiners this replica issued a join for, until some join of theirs is processed. */
  private final Set<Integer> issuedFor = new HashSet<>();
  /** The joiner whose state this donor waits to send, or {@link StampedMessage#NO_JOINER}. */
  private int snapshotFor = StampedMessage.NO_JOINER;
  /** States sent, resent if the joiner asks again, until it is heard from. */
  private final Map<Integer, JoinState> sent = new HashMap<>();

  Integration(StampedOrder order, boolean ranBefore, boolean holdDirect) {
    this.order = order;
    this.self = order.config().self();
    this.waiting = new JoinWait(self, order.config().members(),
        order.config().failureTimeoutMillis(), "rejoining the " + order.scheme().name()
        + " order (paper §7.2): waiting for a live replica's state");
    this.waitingForState = ranBefore;
    this.holdDirect = holdDirect;
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
        order.out().send(ask, new JoinRequest(self));
      }
    } else if (input instanceof Input.Receive r) {
      if (r.message() instanceof JoinState s && s.joiner() == self && fits(s)) {
        install(s);
        return true;
      }
      if (r.message() instanceof JoinRequest j && j.joiner() == r.from()
          && order.index().containsKey(r.from()) && r.from() != self) {
        waiting.alsoJoining(r.from());
      }
    } else {
      waiting.refuseBusy(input, order.out().redirects);
    }
    return false; // broadcasts before the state are dropped: their origins retransmit them
  }

  /** Why this replica cannot serve yet, for operators. */
  String waitingReason() {
    return waiting.reason();
  }

  private boolean fits(JoinState s) {
    int n = order.config().members().size();
    for (Broadcast b : s.latest()) {
      if (!order.index().containsKey(b.origin()) || b.acks().length != n) {
        return false;
      }
    }
    for (Broadcast b : s.pending()) {
      if (!order.index().containsKey(b.origin()) || b.acks().length != n
          || !s.processedThrough().before(b.uid())) {
        return false;
      }
    }
    return s.receivedThrough().length == n && (s.failed() >> n) == 0;
  }

  /** Takes over the donor's state: this replica stands where the donor stood. */
  private void install(JoinState s) {
    List<Integer> members = order.config().members();
    long[] through = s.receivedThrough();
    for (int i = 0; i < members.size(); i++) {
      order.broadcast().resume(members.get(i), through[i]);
      if ((s.failed() & (1L << i)) != 0 && members.get(i) != self) {
        order.failed.add(members.get(i));
        order.broadcast().failed(members.get(i));
        order.detector().suspect(members.get(i));
      }
    }
    for (Broadcast b : s.latest()) {
      if (b.origin() != self) {
        order.latest.put(b.origin(), b);
      }
    }
    for (Broadcast b : s.pending()) {
      order.pending.put(b.uid(), b);
      if (b.kind() == Kind.JOIN) {
        joinDelivered(b.joiner());
      }
    }
    order.scheme().restoreClock(s.clock());
    order.processedThrough = s.processedThrough();
    order.position = s.position();
    order.time = s.time();
    order.handedThrough = s.snapshotIndex();
    order.out().install = new Snapshot(s.snapshotIndex(), 0, s.time(), members, s.snapshot());
    joinedAtWall = order.wallClock;
    waitingForState = false;
  }

  /** Replica {@code joiner} asks this one to let it rejoin. */
  void joinRequested(int joiner) {
    JoinState state = sent.get(joiner);
    if (state != null) {
      order.out().send(joiner, state); // lost or not yet arrived: cheap to send again
    } else if (order.failed.contains(joiner) && !admitting.contains(joiner)
        && !issuedFor.contains(joiner) && order.now != Long.MIN_VALUE) {
      issuedFor.add(joiner);
      order.issue(Kind.JOIN, null, joiner);
    }
    // Otherwise it is not declared failed here yet (its old broadcasts may still be on the
    // way), or its join is under way: it asks again.
  }

  /** A join for {@code joiner} was delivered (or issued) here: accept its new broadcasts. */
  void joinDelivered(int joiner) {
    if (joiner == self) {
      return;
    }
    admitting.add(joiner);
    order.broadcast().readmit(joiner);
    order.detector().readmit(joiner);
  }

  /** Whether broadcasts of {@code origin}, declared failed, are accepted: it is rejoining. */
  boolean admitting(int origin) {
    return admitting.contains(origin);
  }

  /** The join {@code b} is processed here: r_join. From here on everyone waits for it. */
  void joinProcessed(Broadcast b) {
    int joiner = b.joiner();
    admitting.remove(joiner);
    issuedFor.remove(joiner);
    if (joiner == self) {
      return;
    }
    order.failed.remove(joiner);
    order.readmitted(joiner);
    if (b.origin() == self) {
      snapshotFor = joiner; // stop here until the executor's state at r_join is captured
    }
  }

  /** Whether this donor waits for the executor's snapshot at its join. */
  boolean awaitingSnapshot() {
    return snapshotFor != StampedMessage.NO_JOINER;
  }

  /** The executor's state was captured: at the join, it is what the joiner needs. */
  void snapshotTaken(Input.SnapshotTaken taken) {
    if (!awaitingSnapshot() || taken.position() != order.handedThrough) {
      return; // an earlier periodic snapshot: the one at the join comes next
    }
    List<Integer> members = order.config().members();
    long[] through = new long[members.size()];
    long failed = 0;
    for (int i = 0; i < through.length; i++) {
      through[i] = order.broadcast().receivedThrough(members.get(i));
      failed |= order.failed.contains(members.get(i)) ? 1L << i : 0;
    }
    List<Broadcast> latest = new ArrayList<>();
    order.latest.forEach((origin, b) -> {
      if (origin != snapshotFor) {
        latest.add(b);
      }
    });
    JoinState state = new JoinState(snapshotFor, order.handedThrough,
        taken.state().toByteArray(), order.position, order.time, order.processedThrough,
        order.scheme().clock(), through, failed, latest, List.copyOf(order.pending.values()));
    sent.put(snapshotFor, state);
    order.out().send(snapshotFor, state);
    snapshotFor = StampedMessage.NO_JOINER;
  }

  /** A broadcast of {@code origin} was delivered: if it rejoined, it has its state. */
  void heardFrom(int origin) {
    sent.remove(origin);
  }

  /**
   * <b>Test switch</b>: without the hold, a rejoined replica skips to a broadcast that came
   * directly from its origin instead of waiting for the earlier ones.
   */
  void beforeReceive(int from, Broadcast b) {
    if (!holdDirect && joinedAtWall != Long.MIN_VALUE && from == b.origin()
        && b.seq() > order.broadcast().receivedThrough(from) + 1) {
      order.broadcast().resume(from, b.seq() - 1);
    }
  }

  /** Whether test I may decide a request with uid time {@code uidTime} here. */
  boolean timeTestTrusted(long uidTime) {
    return joinedAtWall == Long.MIN_VALUE
        || uidTime > joinedAtWall + order.scheme().integrationHoldMillis();
  }
}
