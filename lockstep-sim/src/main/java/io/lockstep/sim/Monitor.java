package io.lockstep.sim;

import io.lockstep.order.Configuration;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import java.util.HashMap;
import java.util.Map;

/**
 * The protocol-level checkers, run after every step (TigerBeetle style: catch a bug where it
 * happens, not at the end of the run):
 *
 * <ul>
 *   <li>election safety: at most one leader per term (Raft §5.2);
 *   <li>committed entries are never lost or changed: the first request (or no-op) any replica
 *       applied at a position is the one every replica applies there, with the same agreed time
 *       (state machine safety, Raft §5.4.3; paper §3 Order);
 *   <li>agreed time never decreases along a replica's order (paper §3.2), and every time a
 *       leader stamps lies within the range of the correct replicas' clocks
 *       ({@link AgreedTimeCheck});
 *   <li>replicas that recorded a state digest at the same position recorded the same one (S1);
 *   <li>a replica repairing damaged storage (protocol-aware recovery) grants no vote or pre-vote
 *       and sends no acknowledgement that a leader would count.
 * </ul>
 *
 * Positions a replica skips (a gap in {@link Ordered#position()}) count as no-ops, so a replica
 * that skips a position where another applied a request is caught too. Positions covered by an
 * installed snapshot are not compared entry by entry; the state digests cover them.
 */
final class Monitor {
  /** Marker for a position that holds a protocol no-op. */
  private static final Object NO_OP = new Object();
  /** Longest run of no-op positions believed plausible; longer means a runaway position. */
  private static final long MAX_GAP = 1_000_000;

  private final Map<Object, Integer> leaderOfTerm = new HashMap<>();
  private final Map<Long, Object> appliedAt = new HashMap<>();
  private final Map<Long, Checkpointed> digestAt = new HashMap<>();
  private final long[] lastApplied;
  private final long[] lastTime;
  private long comparedPositions;
  private AgreedTimeCheck agreedTime;

  private record Checkpointed(int replica, String digest) {}

  Monitor(int replicas) {
    this.lastApplied = new long[replicas];
    this.lastTime = new long[replicas];
  }

  /** Also checks the times leaders stamp against the replicas' clocks. */
  void checkAgreedTime(AgreedTimeCheck check) {
    this.agreedTime = check;
  }

  /** The liveness phase began. */
  void onHealed() {
    if (agreedTime != null) {
      agreedTime.onHealed();
    }
  }

  /** Checks the times a replica stamped in a Ready ({@code status}: its status after it). */
  void onStamped(int replica, Ready ready, Status status) {
    if (agreedTime != null) {
      agreedTime.onReady(replica, ready, status);
    }
  }

  /** Entries whose stamped time was checked against the clocks. */
  long checkedStamps() {
    return agreedTime == null ? 0 : agreedTime.stamps();
  }

  /** What the agreed-time check measured, for the trace. */
  String agreedTimeSummary() {
    return agreedTime == null ? "stamps=0" : agreedTime.summary();
  }

  /** A replica (re)started from {@code recovered}: it resumes after the durable snapshot. */
  void onBoot(int replica, Recovered recovered) {
    if (agreedTime != null) {
      agreedTime.onBoot(replica, recovered);
    }
    Snapshot snapshot = recovered.snapshot();
    lastApplied[replica] = snapshot == null ? 0 : snapshot.index();
    lastTime[replica] = snapshot == null ? Long.MIN_VALUE : snapshot.time();
  }

  /** Checks the role a replica reports after a step. */
  void onStatus(int replica, Status status) {
    onStatus(replica, status, null);
  }

  /**
   * The same for a protocol whose leaders are unique per term only within one configuration
   * ({@code configuration} non-null: PBFT, where a replica not yet past a replica-set
   * boundary and one past it may each be primary of one view number, for different sequence
   * numbers in different configurations). Only a leader's status is checked, so callers may
   * pass null for any other's.
   */
  void onStatus(int replica, Status status, Configuration configuration) {
    if (status.role() != Role.LEADER) {
      return;
    }
    Object key = configuration == null ? (Object) status.term()
        : java.util.List.of(status.term(), configuration.voters());
    Integer other = leaderOfTerm.putIfAbsent(key, replica);
    if (other != null && other != replica) {
      throw new SimFailure("election safety: replicas " + other + " and " + replica
          + " both led term " + status.term()
          + (configuration == null ? "" : " in configuration " + configuration.voters()));
    }
  }

  /** Checks what a replica's protocol hands its executor, before the executor sees it. */
  void onReady(int replica, Ready ready) {
    Snapshot install = ready.install();
    if (install != null) {
      if (install.index() < lastApplied[replica]) {
        throw new SimFailure("invariant: replica " + replica + " installs a snapshot at "
            + install.index() + " behind its applied position " + lastApplied[replica]);
      }
      lastApplied[replica] = install.index();
      lastTime[replica] = install.time();
    }
    for (Ordered ordered : ready.stable()) {
      onStable(replica, ordered);
    }
  }

  private void onStable(int replica, Ordered ordered) {
    long position = ordered.position();
    long previous = lastApplied[replica];
    if (position <= previous) {
      throw new SimFailure("invariant: replica " + replica + " was handed position " + position
          + " after position " + previous);
    }
    if (position - previous > MAX_GAP) {
      throw new SimFailure("invariant: replica " + replica + " jumped from position " + previous
          + " to " + position);
    }
    for (long skipped = previous + 1; skipped < position; skipped++) {
      compare(replica, skipped, NO_OP);
    }
    compare(replica, position, ordered);
    if (ordered.time() < lastTime[replica]) {
      throw new SimFailure("agreed time: replica " + replica + " position " + position
          + " has time " + ordered.time() + " after time " + lastTime[replica]);
    }
    lastApplied[replica] = position;
    lastTime[replica] = ordered.time();
  }

  private void compare(int replica, long position, Object applied) {
    comparedPositions++;
    Object first = appliedAt.putIfAbsent(position, applied);
    if (first != null && !first.equals(applied)) {
      throw new SimFailure("committed entry changed: position " + position + " was "
          + describe(first) + " but replica " + replica + " applied " + describe(applied));
    }
  }

  private static String describe(Object applied) {
    if (applied == NO_OP) {
      return "a no-op";
    }
    Ordered ordered = (Ordered) applied;
    return ordered.request() + " at time " + ordered.time();
  }

  /**
   * Checks the messages of a Ready produced while the replica repairs damaged storage (it was
   * repairing when the Ready was drained, so throughout its steps: repair only starts at boot).
   */
  void onRepairingReady(int replica, Ready ready) {
    for (Ready.Outbound outbound : ready.messages()) {
      String vouch = RepairVouches.describe(replica, outbound.message());
      if (vouch != null) {
        throw new SimFailure("repair: replica " + replica + " is repairing damaged storage but "
            + vouch + " to " + outbound.to());
      }
    }
  }

  /** Checks a state digest a replica recorded after applying {@code position}. */
  void onCheckpoint(int replica, long position, String digest) {
    Checkpointed first = digestAt.putIfAbsent(position, new Checkpointed(replica, digest));
    if (first != null && !first.digest.equals(digest)) {
      throw new SimFailure("divergence: at position " + position + " replica " + first.replica
          + " has state digest " + first.digest + " but replica " + replica + " has " + digest);
    }
  }

  /** Positions compared so far (for tests: the checker really looked). */
  long comparedPositions() {
    return comparedPositions;
  }

  /** Number of terms that had a leader. */
  int leaderTerms() {
    return leaderOfTerm.size();
  }
}
