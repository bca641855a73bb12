package io.lockstep.order.raft;

import io.lockstep.order.Ready;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linearizable reads without log entries (§6.4). A read arriving at the leader records the
 * commitIndex and waits until a heartbeat round sent after it was acknowledged by a majority:
 * then no other leader can have committed anything newer when the read arrived. The leader must
 * first have committed an entry of its own term, or its commitIndex could lag behind a
 * predecessor's. With lease reads, the heartbeat round is skipped while the lease holds.
 *
 * <p>Rounds are numbered; a follower echoes the number, and every round up to the
 * majority-acknowledged number is confirmed (a later round proves leadership later), so one
 * round confirms any number of reads.
 */
final class ReadIndex {
  private record Pending(long readId, long index, long round) {}

  private record Round(long number, long sentAt) {}

  private final Raft raft;
  private final ArrayDeque<Long> awaitingOwnTermCommit = new ArrayDeque<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final ArrayDeque<Round> unconfirmed = new ArrayDeque<>();
  private final Map<Integer, Long> acked = new HashMap<>();
  private long lastRound;
  private boolean roundWanted;
  private boolean hasLease;
  private long leaseStart;

  ReadIndex(Raft raft) {
    this.raft = raft;
  }

  /** A new term of leadership: nothing acknowledged yet, no lease. */
  void start() {
    awaitingOwnTermCommit.clear();
    pending.clear();
    unconfirmed.clear();
    acked.clear();
    roundWanted = false;
    hasLease = false;
    leaseStart = Long.MIN_VALUE;
  }

  void request(long readId) {
    if (raft.committedInOwnTerm()) {
      admit(readId);
    } else {
      awaitingOwnTermCommit.add(readId);
    }
  }

  /** The commit index moved: reads waiting for the first commit of this term may proceed. */
  void onCommit() {
    if (raft.committedInOwnTerm()) {
      while (!awaitingOwnTermCommit.isEmpty()) {
        admit(awaitingOwnTermCommit.poll());
      }
    }
  }

  private void admit(long readId) {
    long index = raft.commitIndex();
    if (raft.membership().voters().equals(List.of(raft.self())) || leaseHolds()) {
      raft.out().grant(readId, index);
      return;
    }
    pending.add(new Pending(readId, index, lastRound + 1));
    roundWanted = true;
  }

  boolean roundWanted() {
    return roundWanted;
  }

  /** The number of the latest heartbeat round sent (0: none yet). */
  long lastRound() {
    return lastRound;
  }

  /** Numbers the heartbeat round about to be sent at {@code now}. */
  long startRound(long now) {
    lastRound++;
    unconfirmed.add(new Round(lastRound, now));
    roundWanted = false;
    return lastRound;
  }

  void onAck(int from, long round) {
    if (round > lastRound) {
      raft.drop("HeartbeatResponse from " + from + " echoes round " + round
          + " never sent (last " + lastRound + ")");
      return;
    }
    acked.merge(from, round, Math::max);
    confirm(raft.membership().quorumValue(voter -> voter == raft.self() ? lastRound
        : acked.getOrDefault(voter, 0L)));
  }

  private void confirm(long confirmed) {
    while (!unconfirmed.isEmpty() && unconfirmed.peek().number() <= confirmed) {
      Round round = unconfirmed.poll();
      if (round.number() == confirmed) {
        hasLease = true;
        leaseStart = Math.max(leaseStart, round.sentAt());
      }
    }
    while (!pending.isEmpty() && pending.peek().round() <= confirmed) {
      Pending read = pending.poll();
      raft.out().grant(read.readId(), read.index());
    }
  }

  /**
   * §6.4.1: no other leader can exist before {@code sentAt + T(1 − ρ)} on this clock, because
   * the majority that acknowledged the round sent at {@code sentAt} ignores votes for T of their
   * clocks after hearing from this leader. Assumes clock rates within ρ of each other.
   */
  boolean leaseHolds() {
    RaftConfig config = raft.config();
    if (!config.leaseReads() || !hasLease || raft.replication().transferAttempted()) {
      return false;
    }
    long lease = (long) (config.electionTimeoutMillis() * (1 - config.maxClockDrift()));
    return raft.now() < leaseStart + lease;
  }

  /** Leadership was lost: every waiting read must be retried elsewhere. */
  void abort(int leaderHint) {
    for (Long readId : awaitingOwnTermCommit) {
      raft.out().redirect(new Ready.Redirect(null, readId, leaderHint, "leadership lost"));
    }
    for (Pending read : pending) {
      raft.out().redirect(new Ready.Redirect(null, read.readId(), leaderHint, "leadership lost"));
    }
    start();
  }

  int waiting() {
    return awaitingOwnTermCommit.size() + pending.size();
  }
}
