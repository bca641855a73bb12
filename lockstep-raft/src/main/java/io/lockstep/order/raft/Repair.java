package io.lockstep.order.raft;

import io.lockstep.order.Recovered;
import java.util.HashMap;
import java.util.Map;

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
 * term the replica's readable storage shows it reached, nor in any term its peers report in a
 * census after the restart ({@link #onPeerMessage}), which covers a lost vote in a term above all
 * of those.
 *
 * <p>The repair state is part of the hard state ({@link TermAndVote}), written before any
 * message leaves (Ready's order), so a crash during repair resumes it.
 */
final class Repair {
  /**
   * {@code noVoteThrough} while the term census runs (no vote in any term), persisted as such so
   * that a crash during the census resumes it.
   */
  static final long CENSUS_PENDING = Long.MAX_VALUE;

  private final Raft raft;
  private long repairThrough;
  private long noVoteThrough;
  private boolean leaderCommitSeen;
  /** Below the census: the highest term the replica's own storage shows it reached. */
  private long floor;
  /** The highest term heard from each peer since the census started. */
  private final Map<Integer, Long> census = new HashMap<>();
  private long censusStartedAt = -1;
  /** Why the replica repairs, for the operator ("" when it does not). */
  private String reason = "";

  /** Resumes the repair state stored in {@code stored}, widened by fresh {@code damage}. */
  Repair(Raft raft, TermAndVote stored, Recovered.Damage damage) {
    this.raft = raft;
    this.repairThrough = stored.repairThrough();
    this.noVoteThrough = stored.noVoteThrough();
    this.floor = noVoteThrough == CENSUS_PENDING ? stored.term() : noVoteThrough;
    if (active()) {
      reason = "a repair stored before this restart is not finished";
    }
    if (damage != null && raft.bug() != Raft.Bug.SKIP_REPAIR) {
      if (raft.membership().voters().size() == 1) {
        throw new IllegalArgumentException("storage is damaged (" + damage.description()
            + ") and a single replica has no peer to repair from; refusing to start rather"
            + " than lose entries it acknowledged");
      }
      repairThrough = Math.max(repairThrough, damage.acknowledgedBound());
      reason = "damaged storage: " + damage.description();
      floor = Math.max(floor, Math.max(stored.term(), damage.maxTermSeen()));
      noVoteThrough = CENSUS_PENDING;
    }
  }

  /**
   * The data directory was found wiped ({@link WipeCheck}): repair as after damage from index 1
   * (what a {@code rejoin-empty} file reports). Nothing is known of what it acknowledged, so the
   * repair lasts until the commit index of the next leader's AppendEntries, and its lost votes
   * are covered by the term census.
   */
  void onWipeDetected(String why) {
    if (raft.bug() == Raft.Bug.SKIP_REPAIR) {
      return;
    }
    repairThrough = Math.max(repairThrough, 0);
    leaderCommitSeen = false; // AppendEntries taken while unverified set no bound
    floor = Math.max(floor, raft.term());
    noVoteThrough = CENSUS_PENDING;
    reason = why;
    raft.persistHardState();
  }

  /** Why the replica repairs ("" when it does not). */
  String reason() {
    return active() ? reason : "";
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

  /**
   * A valid message from {@code peer}, showing the term it has reached. The lost hard state
   * may have held a vote in a term above every term this replica's storage shows. Any majority
   * that elected someone with that vote holds, besides this replica, t replicas that reached
   * that term; so once it has heard the terms of t + 1 others (more than the n − 1 − t that
   * can lie outside that majority), the highest of them covers the lost vote. The census also
   * lasts two election timeouts: a candidacy still open in the lost term when the replica
   * crashed, which only its own candidate may know of, has ended by then (its randomized
   * timeout is below two election timeouts), so it can no longer win with the old vote.
   */
  void onPeerMessage(int peer, RaftMessage m, boolean clockStarted) {
    if (noVoteThrough != CENSUS_PENDING || !clockStarted) {
      return; // the census measures its time from the first tick on
    }
    // A pre-vote names the term its sender would campaign in, one above the one it reached.
    long term = m instanceof RaftMessage.PreVote ? m.term() - 1 : m.term();
    census.merge(peer, term, Math::max);
    if (censusStartedAt < 0) {
      censusStartedAt = raft.now();
    }
    int needed = raft.config().members().size() - Quorum.majority(raft.config().members().size())
        + 1;
    if (census.size() >= needed
        && raft.now() - censusStartedAt >= 2 * raft.config().electionTimeoutMillis()) {
      long heard = census.values().stream().mapToLong(Long::longValue).max().orElse(0);
      noVoteThrough = Math.max(floor, Math.max(heard, raft.term()));
      raft.persistHardState();
    }
  }

  /** True while the term census runs (see {@link #onPeerMessage}). */
  boolean censusPending() {
    return noVoteThrough == CENSUS_PENDING;
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
    return (active() ? "repairing through " + repairThrough : "not repairing")
        + (censusPending() ? ", term census of " + census.size() + " peers" : "");
  }
}
