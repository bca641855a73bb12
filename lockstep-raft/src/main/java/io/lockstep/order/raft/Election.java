package io.lockstep.order.raft;

import io.lockstep.order.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Leader election (§3.4, §3.6): the randomized election timer, pre-vote (§9.6), RequestVote
 * with the election restriction, and vote counting. A replica repairing damaged storage
 * ({@link Repair}) neither campaigns nor grants (pre-)votes.
 */
final class Election {
  private final Raft raft;
  private final SplittableRandom random;
  private final long timeout;
  private final Map<Integer, Boolean> votes = new HashMap<>();
  private long resetAt;
  private long randomizedTimeout;

  Election(Raft raft, long seed) {
    this.raft = raft;
    this.random = new SplittableRandom(seed);
    this.timeout = raft.config().electionTimeoutMillis();
    this.randomizedTimeout = draw();
  }

  /** Restarts the timer with a fresh timeout drawn from [T, 2T) (§3.4: split votes are rare). */
  void reset(long now) {
    resetAt = now;
    randomizedTimeout = draw();
  }

  /** Restarts the timer with the same timeout: the leader was heard from. */
  void touch(long now) {
    resetAt = now;
  }

  boolean due(long now) {
    return now - resetAt >= randomizedTimeout;
  }

  long randomizedTimeout() {
    return randomizedTimeout;
  }

  private long draw() {
    return timeout + random.nextLong(timeout);
  }

  /**
   * Starts an election: a pre-vote round first if configured, unless a leadership transfer
   * asked for this election (§3.10: the old leader vouches for it).
   */
  void campaign(boolean transfer) {
    if (raft.holdsBack()) {
      // A repairing or unverified replica never campaigns: it may lack committed entries.
      reset(raft.now());
      return;
    }
    if (!raft.membership().isVoter(raft.self())) {
      reset(raft.now()); // a spare, a learner or a removed replica has no vote to start with
      return;
    }
    if (raft.config().preVote() && !transfer) {
      raft.becomePreCandidate();
      startCounting();
      RaftLog log = raft.log();
      RaftMessage request = new RaftMessage.PreVote(raft.term() + 1, log.lastIndex(), log.lastTerm());
      raft.peers().forEach(peer -> raft.send(peer, request));
      tally(true);
    } else {
      elect(transfer);
    }
  }

  /** The real election: a new term, a vote for itself, RequestVote to everyone (§3.4). */
  private void elect(boolean transfer) {
    raft.becomeCandidate();
    startCounting();
    RaftLog log = raft.log();
    RaftMessage request =
        new RaftMessage.RequestVote(raft.term(), log.lastIndex(), log.lastTerm(), transfer);
    raft.peers().forEach(peer -> raft.send(peer, request));
    tally(false);
  }

  /** Would this replica vote for the sender in the pre-vote's term? Nothing changes here. */
  void onPreVote(int from, RaftMessage.PreVote request) {
    if (request.term() > raft.term() && raft.inLease()) {
      return; // leader stickiness: a live leader makes pre-votes moot
    }
    boolean grant = request.term() > raft.term() && raft.mayVote(request.term())
        && raft.log().isUpToDate(request.lastLogIndex(), request.lastLogTerm());
    raft.send(from, new RaftMessage.PreVoteResponse(grant ? request.term() : raft.term(), grant));
  }

  void onPreVoteResponse(int from, RaftMessage.PreVoteResponse response) {
    if (raft.role() != Role.PRE_CANDIDATE) {
      return; // a late answer
    }
    if (response.granted() && response.term() != raft.term() + 1) {
      raft.drop("pre-vote grant for term " + response.term() + " from " + from
          + ", campaigning for " + (raft.term() + 1));
      return;
    }
    record(from, response.granted());
    tally(true);
  }

  /** RequestVote (§3.4): one vote per term, only for a log at least as up to date (§3.6.1). */
  void onRequestVote(int from, RaftMessage.RequestVote request) {
    boolean canVote = raft.votedFor() == from
        || (raft.votedFor() == Raft.NONE && raft.leader() == Raft.NONE);
    boolean grant = request.term() == raft.term() && canVote
        && raft.mayVote(request.term())
        && raft.log().isUpToDate(request.lastLogIndex(), request.lastLogTerm());
    if (grant) {
      raft.vote(from);
      touch(raft.now());
    }
    raft.send(from, new RaftMessage.RequestVoteResponse(raft.term(), grant, raft.wallClock()));
  }

  void onVoteResponse(int from, RaftMessage.RequestVoteResponse response) {
    if (raft.role() != Role.CANDIDATE || response.term() != raft.term()) {
      return; // a late answer
    }
    // Before the tally: if this vote elects us, the no-op entry is stamped from these clocks.
    raft.clockReport(from, response.clock());
    record(from, response.granted());
    tally(false);
  }

  private void startCounting() {
    votes.clear();
    votes.put(raft.self(), true);
  }

  /** Records an answer; a duplicated or reordered later answer from the same voter is moot. */
  private void record(int from, boolean grant) {
    votes.putIfAbsent(from, grant);
  }

  private void tally(boolean preVote) {
    // Only voters of the newest configuration in this log count (§4.1).
    List<Integer> voters = raft.membership().voters();
    int granted = 0;
    int rejected = 0;
    for (Map.Entry<Integer, Boolean> vote : votes.entrySet()) {
      if (voters.contains(vote.getKey())) {
        granted += vote.getValue() ? 1 : 0;
        rejected += vote.getValue() ? 0 : 1;
      }
    }
    switch (Quorum.voteResult(granted, rejected, voters.size())) {
      case WON -> {
        if (preVote) {
          elect(false);
        } else {
          raft.becomeLeader();
        }
      }
      case LOST -> raft.becomeFollower(raft.term(), Raft.NONE);
      case PENDING -> { }
    }
  }
}
