package io.lockstep.order.raft;

import io.lockstep.order.Role;

/**
 * The replica's own sense of time, made only of {@link io.lockstep.order.Input.Tick}s: the
 * latest tick (never going backwards), the first tick every timer is measured from, when a
 * leader was last heard from, and the leader-stickiness lease (§4.2.3) those readings decide.
 * A tick drives the timers: the wipe check's, the snapshot fetch's, and either the leader's
 * replication or a follower's election timeout.
 *
 * <p>Separate from {@link Raft} because these four readings and the lease are one concern —
 * how time passes for this replica — that Raft's state and transitions only consult. Agreed
 * time (the time stamped on entries) is another matter and stays in {@link AgreedTime}.
 */
final class TickClock {
  private final Raft raft;
  private long now;
  private boolean started;
  private long startedAt;
  private long leaderContactAt;

  TickClock(Raft raft) {
    this.raft = raft;
  }

  /** A tick at monotonic time {@code tickNow}: advances the clock and runs the due timers. */
  void tick(long tickNow) {
    if (!started) {
      // The first tick sets the baseline every timer is measured from.
      started = true;
      now = tickNow;
      startedAt = tickNow;
      leaderContactAt = tickNow;
      raft.election().touch(now);
      if (raft.role() == Role.LEADER) {
        raft.replication().resetTimers(now);
      }
      raft.wipeCheck().tick(now);
      return;
    }
    now = Math.max(now, tickNow);
    raft.wipeCheck().tick(now);
    raft.fetch().tick(now);
    if (raft.role() == Role.LEADER) {
      raft.replication().tick(now);
    } else if (raft.election().due(now)) {
      raft.election().campaign(false);
    }
  }

  /** A leader was heard from (or a new term began) just now. */
  void leaderContact() {
    leaderContactAt = now;
  }

  /**
   * Leader stickiness (§4.2.3, with check-quorum as in etcd-io/raft): true while this replica
   * believes a leader is alive, so that (pre-)votes must be ignored. A replica with lease reads
   * also refuses for T after it started, since it may have acknowledged a leader just before a
   * crash.
   */
  boolean inLease() {
    RaftConfig config = raft.config();
    if (!config.checkQuorum()) {
      return false;
    }
    if (config.leaseReads() && (!started || now - startedAt < config.electionTimeoutMillis())) {
      return true;
    }
    if (raft.leader() == Raft.NONE) {
      return false;
    }
    return raft.role() == Role.LEADER || now - leaderContactAt < config.electionTimeoutMillis();
  }

  long now() {
    return now;
  }

  /** Whether the first tick has come: before it, no timer runs. */
  boolean started() {
    return started;
  }
}
