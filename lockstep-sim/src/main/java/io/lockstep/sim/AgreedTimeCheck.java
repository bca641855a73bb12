package io.lockstep.sim;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * The agreed-time invariant (t faulty clocks cannot move agreed time): every time a leader stamps
 * on an entry lies within the range of the <em>correct</em> replicas' wall clocks at the moment it
 * stamps, whatever the up to t wrong clocks (hours off, the leader's own included) say.
 *
 * <p>The range allows for what a protocol may legitimately use: a correct clock reading up to
 * {@link #READING_WINDOW_MILLIS} old, aged forward on a drifting monotonic clock. So for each
 * correct clock it spans the readings that clock would show now under any setting it had during
 * that window (a clock that jumped back a moment ago may still be quoted at its old setting),
 * widened by 2ρ × the window for drift.
 *
 * <ul>
 *   <li><b>Upper bound</b>, always: a stamp above the range must not be a new high, that is, it
 *       must equal a time already stamped (agreed time never decreases, so a leader may keep an
 *       earlier leader's time; that one was checked when it was stamped).
 *   <li><b>Lower bound</b>, once the run is healed, the leader has led for
 *       {@link #SETTLE_MILLIS}, and wrong clocks plus replicas still down (a replica whose
 *       storage was found damaged stays down) number at most t: the stamp is at most one window
 *       below the range. Otherwise a protocol may legitimately let time stand still (a new
 *       leader without clock reports; a slow wrong clock outvoting the rest when replicas are
 *       missing), and it is the upper bound that protects time-outs.
 * </ul>
 */
final class AgreedTimeCheck {
  /**
   * How old a clock reading the protocol under test may still use. Raft uses followers' reports
   * up to an election timeout old (300 ms in the simulator), read up to a tick before they were
   * sent and delivered with the network's delay; a second covers that with room.
   */
  static final long READING_WINDOW_MILLIS = 1_000;
  /** After healing or a leader change, how long before the lower bound is enforced. */
  static final long SETTLE_MILLIS = 500;

  private final ClockModel model;
  private final IntFunction<SimClock> clocks;
  private final IntPredicate up;
  private final int replicas;
  private final int t;
  private final EventQueue queue;
  private final long[] lastLogIndex;
  private final long[] lastLogTime;
  private final long[] leaderTerm;
  private final long[] leaderSince;
  private long healedAt = -1;
  private long highestStamp = Long.MIN_VALUE;
  private long stamps;
  private long worstAbove = Long.MIN_VALUE;
  private long worstBelowSettled = Long.MIN_VALUE;

  /**
   * @param t how many replicas may be faulty: the lower bound is enforced only while wrong clocks
   *     and replicas down number at most t
   * @param up whether a replica is up
   */
  AgreedTimeCheck(ClockModel model, int replicas, int t, IntFunction<SimClock> clocks,
      IntPredicate up, EventQueue queue) {
    this.model = model;
    this.clocks = clocks;
    this.up = up;
    this.replicas = replicas;
    this.t = t;
    this.queue = queue;
    this.lastLogIndex = new long[replicas];
    this.lastLogTime = new long[replicas];
    this.leaderTerm = new long[replicas];
    this.leaderSince = new long[replicas];
    Arrays.fill(leaderTerm, -1);
  }

  /** A replica (re)started: its log ends where its storage ends. */
  void onBoot(int replica, Recovered recovered) {
    Snapshot snapshot = recovered.snapshot();
    lastLogIndex[replica] = snapshot == null ? 0 : snapshot.index();
    lastLogTime[replica] = snapshot == null ? Long.MIN_VALUE : snapshot.time();
    if (!recovered.entries().isEmpty()) {
      LogEntry last = recovered.entries().get(recovered.entries().size() - 1);
      lastLogIndex[replica] = last.index();
      lastLogTime[replica] = last.time();
    }
    leaderTerm[replica] = -1;
  }

  /** The liveness phase began: every fault but the wrong clocks is healed. */
  void onHealed() {
    healedAt = queue.now();
  }

  /** Checks the entries a replica stamped as leader in this Ready ({@code status} after it). */
  void onReady(int replica, Ready ready, Status status) {
    boolean leads = status.role() == Role.LEADER;
    if (!leads) {
      leaderTerm[replica] = -1;
    } else if (leaderTerm[replica] != status.term()) {
      leaderTerm[replica] = status.term();
      leaderSince[replica] = queue.now();
    }
    for (StorageWrite write : ready.writes()) {
      if (write instanceof StorageWrite.Append append) {
        for (LogEntry entry : append.entries()) {
          if (leads && entry.term() == status.term()) {
            check(replica, entry);
          }
          lastLogIndex[replica] = entry.index();
          lastLogTime[replica] = entry.time();
        }
      }
    }
    Snapshot install = ready.install();
    if (install != null && install.index() >= lastLogIndex[replica]) {
      lastLogIndex[replica] = install.index();
      lastLogTime[replica] = install.time();
    }
  }

  private void check(int replica, LogEntry entry) {
    stamps++;
    long[] range = correctRange();
    if (range == null) {
      return;
    }
    long drift = (long) Math.ceil(2 * model.maxDrift() * READING_WINDOW_MILLIS) + 1;
    long time = entry.time();
    if (time > highestStamp) {
      worstAbove = Math.max(worstAbove, time - range[1]);
    }
    if (settled(replica)) {
      worstBelowSettled = Math.max(worstBelowSettled, range[0] - time);
    }
    if (time > range[1] + drift && time > highestStamp) {
      throw new SimFailure("agreed time: leader " + replica + " stamped position " + entry.index()
          + " with " + time + ", " + (time - range[1]) + " ms above the correct clocks' highest"
          + " reading " + range[1] + " (allowed: " + drift + " ms) and above every earlier"
          + " stamp (" + highestStamp + ")");
    }
    if (settled(replica) && time < range[0] - READING_WINDOW_MILLIS - drift) {
      throw new SimFailure("agreed time: leader " + replica + " stamped position " + entry.index()
          + " with " + time + ", " + (range[0] - time) + " ms below the correct clocks' lowest"
          + " reading " + range[0] + " (allowed: " + (READING_WINDOW_MILLIS + drift)
          + " ms) after healing, leading since " + leaderSince[replica] / 1_000_000 + " ms");
    }
    highestStamp = Math.max(highestStamp, time);
  }

  private boolean settled(int replica) {
    long settle = SETTLE_MILLIS * 1_000_000;
    if (healedAt < 0 || queue.now() - healedAt < settle
        || queue.now() - leaderSince[replica] < settle) {
      return false;
    }
    int faulty = 0;
    for (int i = 0; i < replicas; i++) {
      faulty += clocks.apply(i).wrong() || !up.test(i) ? 1 : 0;
    }
    return faulty <= t;
  }

  /** [lowest, highest] reading any correct clock may be quoted at now; null if none. */
  private long[] correctRange() {
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    for (int i = 0; i < replicas; i++) {
      long[] r = clocks.apply(i).correctRange(queue.now(), READING_WINDOW_MILLIS * 1_000_000);
      if (r != null) {
        lo = Math.min(lo, r[0]);
        hi = Math.max(hi, r[1]);
      }
    }
    return lo > hi ? null : new long[] {lo, hi};
  }

  /** Entries checked so far (for tests: the invariant really looked). */
  long stamps() {
    return stamps;
  }

  /**
   * What the run measured: stamps checked, the most a new high stamp exceeded the correct
   * clocks' highest reading, and the most a settled stamp fell below their lowest (ms).
   */
  String summary() {
    return "stamps=" + stamps + " above=" + (worstAbove == Long.MIN_VALUE ? "-" : worstAbove)
        + " below=" + (worstBelowSettled == Long.MIN_VALUE ? "-" : worstBelowSettled);
  }
}
