package io.lockstep.order.raft;

import io.lockstep.order.Recovered;

/**
 * Protocol-aware recovery (Alagappan et al., "Protocol-Aware Recovery for Consensus-Based
 * Storage", FAST 2018): a replica whose storage lost part of its log rejoins as a follower that
 * neither votes nor campaigns, and whose AppendEntries answers say "repairing" so that the
 * leader forgets its old matchIndex and counts none of them toward a commit. It takes the lost
 * range back through ordinary AppendEntries and InstallSnapshot, and votes again only once its
 * commit index (advanced only by AppendEntries, which check Log Matching) reaches
 * {@code repairThrough}: at least every index it may have acknowledged before the damage, and
 * the commit index its first leader announced after it rejoined.
 *
 * <p>Why each rule: a damaged replica that voted could elect a candidate lacking an entry that
 * was committed by counting this replica's lost copy (Raft's Leader Completeness needs every
 * vote to come from a replica holding what it acknowledged); an acknowledgement the leader
 * believed before the damage (a stale matchIndex) would count a copy that no longer exists; a
 * heartbeat's commit index is capped by that stale matchIndex, so a repairing follower ignores
 * it. Votes lost with the damaged hard state are covered by {@code noVoteThrough}: no vote in any
 * term the replica's readable storage shows it reached.
 *
 * <p>The repair state is part of the hard state ({@link TermAndVote}), written before any
 * message leaves (Ready's order), so a crash during repair resumes it.
 */
final class Repair {
  private final Raft raft;
  private long repairThrough;
  private long noVoteThrough;
  private boolean leaderCommitSeen;

  /** Resumes the repair state stored in {@code stored}, widened by fresh {@code damage}. */
  Repair(Raft raft, TermAndVote stored, Recovered.Damage damage) {
    this.raft = raft;
    this.repairThrough = stored.repairThrough();
    this.noVoteThrough = stored.noVoteThrough();
    if (damage != null && raft.bug() != Raft.Bug.SKIP_REPAIR) {
      if (raft.membership().voters().size() == 1) {
        throw new IllegalArgumentException("storage is damaged (" + damage.description()
            + ") and a single replica has no peer to repair from; refusing to start rather"
            + " than lose entries it acknowledged");
      }
      repairThrough = Math.max(repairThrough, damage.acknowledgedBound());
      noVoteThrough = Math.max(noVoteThrough,
          Math.max(stored.term(), damage.maxTermSeen()));
    }
  }

  /** True while the replica may not vote, campaign or have its acknowledgements counted. */
  boolean active() {
    return repairThrough != TermAndVote.NO_REPAIR;
  }

  long repairThrough() {
    return repairThrough;
  }

  long noVoteThrough() {
    return noVoteThrough;
  }

  /** Whether this replica may grant a (pre-)vote in {@code term}. */
  boolean mayVote(long term) {
    return !active() && term > noVoteThrough;
  }

  /**
   * The first AppendEntries of a leader since the restart: whatever it had committed may
   * include entries this replica acknowledged and lost, so the repair lasts until then too.
   */
  void onAppendEntries(long leaderCommit) {
    if (active() && !leaderCommitSeen && leaderCommit > repairThrough) {
      leaderCommitSeen = true;
      repairThrough = leaderCommit;
      raft.persistHardState();
    }
    leaderCommitSeen = true;
  }

  /** The commit index moved: the repair ends once it covers {@code repairThrough}. */
  void onCommit(long commitIndex) {
    if (active() && leaderCommitSeen && commitIndex >= repairThrough) {
      repairThrough = TermAndVote.NO_REPAIR;
      raft.persistHardState();
    }
  }

  @Override
  public String toString() {
    return active() ? "repairing through " + repairThrough : "not repairing";
  }
}
