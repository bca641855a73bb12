package io.lockstep.order.raft;

import io.lockstep.order.Role;

/**
 * Raft's invariants, checked at the end of every step and every ready (TigerBeetle style): a
 * violation throws {@link IllegalStateException} naming the state, at the step that caused it.
 * Remembers the previous values to check monotonicity.
 */
final class Invariants {
  private long term;
  private long commitIndex;
  private Role role = Role.FOLLOWER;
  private long leaderLastIndex;

  void check(Raft raft) {
    RaftLog log = raft.log();
    require(raft.term() >= term, "term went back from " + term, raft);
    require(raft.commitIndex() >= commitIndex, "commitIndex went back from " + commitIndex, raft);
    require(raft.commitIndex() <= log.lastIndex(), "commitIndex beyond the last index", raft);
    require(raft.applied() == raft.commitIndex(), "applied differs from commitIndex", raft);
    require(log.snapshotIndex() <= raft.commitIndex(), "snapshot beyond commitIndex", raft);
    require(log.cachedFrom() <= raft.applied() + 1 || log.cachedFrom() == log.snapshotIndex() + 1,
        "the payload of an entry not yet applied left memory", raft);
    require(log.lastTerm() <= raft.term(), "log holds a term newer than the current term", raft);
    checkRole(raft);
    if (raft.role() == Role.LEADER) {
      boolean sameLeadership = role == Role.LEADER && term == raft.term();
      require(!sameLeadership || log.lastIndex() >= leaderLastIndex,
          "a leader's log was truncated from " + leaderLastIndex, raft);
      leaderLastIndex = log.lastIndex();
      raft.replication().checkInvariants();
    }
    term = raft.term();
    commitIndex = raft.commitIndex();
    role = raft.role();
  }

  private static void checkRole(Raft raft) {
    switch (raft.role()) {
      case LEADER -> require(raft.leader() == raft.self() && raft.votedFor() == raft.self(),
          "a leader must lead and have voted for itself", raft);
      case CANDIDATE -> require(raft.leader() == Raft.NONE && raft.votedFor() == raft.self(),
          "a candidate must have voted for itself and know no leader", raft);
      case PRE_CANDIDATE -> require(raft.leader() == Raft.NONE,
          "a pre-candidate must know no leader", raft);
      case FOLLOWER -> require(raft.leader() != raft.self(), "a follower cannot lead", raft);
    }
  }

  private static void require(boolean condition, String violation, Raft raft) {
    if (!condition) {
      throw new IllegalStateException("invariant broken: " + violation + " in " + raft);
    }
  }
}
