package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Role;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's side of log replication (§3.5, §5.3, §10.2): per-follower {@link Progress},
 * batched and pipelined AppendEntries, heartbeats, InstallSnapshot for followers behind the
 * snapshot, the commit rule (§3.6.2), check-quorum (§6.2) and leadership transfer (§3.10).
 *
 * <p>Proposals only mark the followers as due; the AppendEntries go out when the runtime asks for
 * a Ready, so all proposals between two Readys travel in one batch. The snapshot transfers
 * themselves (chunks, sources, retries) run in {@link SnapshotTransfers}.
 */
final class Replication {
  private final Raft raft;
  private final RaftConfig config;
  private final Map<Integer, Progress> progress = new LinkedHashMap<>();
  /** Followers that said they repair damaged storage: their matchIndex counts toward nothing. */
  private final Set<Integer> repairing = new HashSet<>();
  /** When (leader's clock) each follower last answered, for the configurator's evidence. */
  private final Map<Integer, Long> heardAt = new HashMap<>();
  /** The InstallSnapshot transfers to followers behind the log's start. */
  private final SnapshotTransfers snapshots;
  private long nextHeartbeatAt;
  private long checkQuorumAt;
  private boolean appendsDue;
  private long broadcastCommit;
  private int transferTarget = Raft.NONE;
  private long transferDeadline;
  private boolean transferAttempted;

  Replication(Raft raft) {
    this.raft = raft;
    this.config = raft.config();
    this.snapshots = new SnapshotTransfers(raft, progress, repairing, heardAt);
  }

  /** A new term of leadership: every follower is probed from the end of the leader's log. */
  void start(long now) {
    releaseAll();
    raft.logReads().clear();
    heardAt.clear();
    repairing.clear();
    syncPeers(raft.configChange().targets(), false);
    resetTimers(now);
    appendsDue = true;
    broadcastCommit = raft.commitIndex();
    transferTarget = Raft.NONE;
    transferAttempted = false;
  }

  /**
   * Replicates to exactly {@code targets} from now on (a configuration change added or removed
   * a replica): a new one is probed from the end of the log, at once if {@code probeNow} (a
   * learner should not wait for the next entry or heartbeat answer), a removed one forgotten.
   */
  void syncPeers(Set<Integer> targets, boolean probeNow) {
    progress.entrySet().removeIf(e -> {
      if (!targets.contains(e.getKey())) {
        e.getValue().release();
        return true;
      }
      return false;
    });
    heardAt.keySet().retainAll(targets);
    repairing.retainAll(targets);
    long next = raft.log().lastIndex() + 1;
    for (int peer : targets) {
      if (!progress.containsKey(peer)) {
        heardAt.put(peer, raft.now()); // silence is counted from when this leader began asking
        progress.put(peer, new Progress(next, config.maxInflightAppends()));
        appendsDue = true;
        if (probeNow) {
          sendAppends(peer, true);
        }
      }
    }
  }

  /** A follower answered (any answer: it is alive and reachable). */
  void heardFrom(int peer) {
    heardAt.put(peer, raft.now());
  }

  /** For each follower, how long since it last answered. */
  Map<Integer, Long> silence() {
    Map<Integer, Long> silence = new HashMap<>();
    heardAt.forEach((peer, at) -> silence.put(peer, raft.now() - at));
    return silence;
  }

  /** True if this leader replicates to {@code peer} (its answers are heeded). */
  boolean tracks(int peer) {
    return progress.containsKey(peer);
  }

  /** The voter (other than this leader) with the highest matchIndex, or NONE. */
  int mostUpToDate(List<Integer> voters) {
    int best = Raft.NONE;
    long bestMatch = -1;
    for (int voter : voters) {
      Progress pr = progress.get(voter);
      if (voter != raft.self() && pr != null && pr.match() > bestMatch) {
        best = voter;
        bestMatch = pr.match();
      }
    }
    return best;
  }

  void resetTimers(long now) {
    nextHeartbeatAt = now + config.heartbeatMillis();
    checkQuorumAt = now + config.electionTimeoutMillis();
  }

  void stop() {
    releaseAll();
    raft.logReads().clear();
    heardAt.clear();
    repairing.clear();
    transferTarget = Raft.NONE;
    appendsDue = false;
  }

  /** Drops every follower's progress, releasing the snapshots being sent. */
  private void releaseAll() {
    progress.values().forEach(Progress::release);
    progress.clear();
  }

  /** The oldest snapshot being sent to a follower, or {@link Long#MAX_VALUE} (for compaction). */
  long oldestSnapshotSent() {
    return snapshots.oldestSnapshotSent();
  }

  void entriesAppended() {
    appendsDue = true;
  }

  void commitAdvanced() {
    appendsDue = true;
  }

  /** Sends what is due: new entries to every follower, and the new commit index if it moved. */
  void flush() {
    if (appendsDue) {
      appendsDue = false;
      boolean commitNews = raft.commitIndex() > broadcastCommit;
      broadcastCommit = raft.commitIndex();
      for (int peer : progress.keySet()) {
        sendAppends(peer, commitNews);
      }
    }
    if (raft.readIndex().roundWanted()) {
      broadcastHeartbeat();
    }
  }

  void tick(long now) {
    if (now >= nextHeartbeatAt) {
      nextHeartbeatAt = now + config.heartbeatMillis();
      broadcastHeartbeat();
      snapshots.retryLost(now);
      raft.logReads().expire(now);
    }
    if (config.checkQuorum() && now >= checkQuorumAt) {
      checkQuorumAt = now + config.electionTimeoutMillis();
      if (!majorityActive()) {
        raft.becomeFollower(raft.term(), Raft.NONE); // §6.2: cannot reach a majority, step down
        return;
      }
    }
    if (transferTarget != Raft.NONE && now >= transferDeadline) {
      transferTarget = Raft.NONE; // §3.10: give up after an election timeout
    }
  }

  /** Sends batches to {@code to} while the flow control allows and entries remain. */
  private void sendAppends(int to, boolean sendIfEmpty) {
    if (sendAppend(to, sendIfEmpty)) {
      while (sendAppend(to, false)) {
        // REPLICATE pipelines further batches until the inflight window is full
      }
    }
  }

  /**
   * Sends one AppendEntries (or, for a follower behind the log's start, the next snapshot chunk);
   * false if nothing was sent or nothing more may be sent now.
   */
  private boolean sendAppend(int to, boolean sendIfEmpty) {
    Progress pr = progress.get(to);
    RaftLog log = raft.log();
    if (pr.state() == Progress.State.SNAPSHOT) {
      snapshots.sendChunk(to, pr);
      return false; // one chunk in flight per follower
    }
    if (pr.paused()) {
      return false;
    }
    if (pr.next() <= log.snapshotIndex()) {
      snapshots.start(to, pr);
      return false;
    }
    if (pr.next() < log.cachedFrom()) {
      raft.logReads().want(to, pr.next()); // sent when the runtime has read them back
      return false;
    }
    List<LogEntry> entries = log.slice(pr.next(), config.maxBatchEntries());
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long prevIndex = pr.next() - 1;
    raft.send(to, new RaftMessage.AppendEntries(raft.term(), prevIndex, log.termAt(prevIndex),
        entries, raft.commitIndex()));
    pr.sentEntries(prevIndex + entries.size(), entries.size());
    return true;
  }

  /** Goes on sending to {@code to} what its flow control allows (after entries read back). */
  void resume(int to) {
    sendAppends(to, false);
  }

  /** Sends {@code to} the current snapshot instead of entries (a read of them failed). */
  void sendSnapshotInstead(int to, Progress pr) {
    snapshots.start(to, pr);
  }

  /** The leader sends every snapshot itself ({@link SnapshotTransfers#sendOnlyFromLeader}). */
  void sendSnapshotsOnlyFromLeader() {
    snapshots.sendOnlyFromLeader();
  }

  /** One ReadIndex round (§6.4): also the periodic heartbeat that keeps followers quiet. */
  void broadcastHeartbeat() {
    long round = raft.readIndex().startRound(raft.now());
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      // Only commit up to what the follower is known to hold: it may lack later entries.
      long commit = Math.min(e.getValue().match(), raft.commitIndex());
      raft.send(e.getKey(), new RaftMessage.Heartbeat(raft.term(), commit, round));
    }
  }

  void onAppendResponse(int from, RaftMessage.AppendEntriesResponse response) {
    trackRepair(from, response);
    Progress pr = progress.get(from);
    pr.setRecentActive(true);
    raft.clockReport(from, response.clock());
    if (response.index() > raft.log().lastIndex()) {
      raft.drop("AppendEntriesResponse from " + from + " names index " + response.index()
          + " beyond the leader's last index " + raft.log().lastIndex());
      return;
    }
    if (!response.success()) {
      onReject(from, pr, response);
      return;
    }
    if (!pr.maybeUpdate(response.index())) {
      return;
    }
    switch (pr.state()) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match() >= raft.log().snapshotIndex()) {
          pr.becomeProbe();
        }
      }
      case REPLICATE -> pr.freeUpTo(response.index());
    }
    maybeCommit();
    sendAppends(from, false);
    maybeSendTimeoutNow(from, pr);
    raft.configChange().onProgress(from, pr.match());
  }

  /**
   * A follower that starts repairing lost entries we may have counted on it: its matchIndex may
   * be stale-high, so probe it afresh from our last index; until it stops repairing, its
   * acknowledgements count toward no commit (protocol-aware recovery, see {@link Repair}).
   * Also afresh when a follower we already count as repairing rejects a probe with a log
   * shorter than its matchIndex: it lost entries again (wiped once more before the end of its
   * last repair reached us), and probing never goes below matchIndex + 1, so the leader and
   * it would trade the same probe and reject for good.
   */
  private void trackRepair(int from, RaftMessage.AppendEntriesResponse response) {
    boolean repairs = response.repairing();
    boolean lostAgain = repairs && !response.success() && response.index() > 0
        && response.hintIndex() < progress.get(from).match();
    if (repairs && (repairing.add(from) || lostAgain)) {
      Progress fresh = new Progress(raft.log().lastIndex() + 1, config.maxInflightAppends());
      fresh.setRecentActive(progress.get(from).recentActive());
      progress.put(from, fresh).release();
      // Probe at once: the answer that told us may be a reject the fresh progress ignores as
      // stale, and a probing follower gets nothing more until an answer arrives.
      sendAppends(from, true);
    } else if (!repairs && repairing.remove(from)) {
      maybeCommit(); // its acknowledgements since the reset are real and count from now on
    }
  }

  /** Fast backtracking (§5.3, etcd-io/raft): skip past every entry the hint rules out. */
  private void onReject(int from, Progress pr, RaftMessage.AppendEntriesResponse response) {
    RaftLog log = raft.log();
    long matchHint = response.hintIndex();
    if (response.hintTerm() > 0 && matchHint >= log.snapshotIndex()) {
      matchHint = log.findConflictByTerm(Math.min(matchHint, log.lastIndex()), response.hintTerm());
    }
    if (pr.maybeDecrTo(response.index(), matchHint)) {
      if (pr.state() == Progress.State.REPLICATE) {
        pr.becomeProbe();
      }
      sendAppends(from, true);
    }
  }

  void onHeartbeatResponse(int from, RaftMessage.HeartbeatResponse response) {
    Progress pr = progress.get(from);
    pr.setRecentActive(true);
    snapshots.onHeartbeatAnswer(pr, response);
    raft.clockReport(from, response.clock());
    pr.resume();
    if (pr.state() == Progress.State.REPLICATE && pr.paused()) {
      pr.freeFirstInflight();
    }
    if (pr.match() < raft.log().lastIndex() || repairing.contains(from)) {
      // Only an AppendEntries answer says whether a follower still repairs. One that holds the
      // whole log gets no AppendEntries unless asked, so without this probe it would count
      // toward no commit for good once it stopped repairing: a leader whose last entry was a
      // configuration change then never committed it, with every replica holding it.
      sendAppends(from, true);
    }
    raft.readIndex().onAck(from, response.readContext());
    raft.configChange().onProgress(from, pr.match());
  }

  void onSnapshotResponse(int from, RaftMessage.InstallSnapshotResponse response) {
    Progress pr = progress.get(from);
    pr.setRecentActive(true);
    if (response.index() > raft.log().lastIndex()) {
      raft.drop("InstallSnapshotResponse from " + from + " names index " + response.index()
          + " beyond the leader's last index " + raft.log().lastIndex());
      return;
    }
    pr.maybeUpdate(response.index());
    if (snapshots.onChunkAnswer(from, pr, response)) {
      return;
    }
    if (pr.state() == Progress.State.SNAPSHOT) {
      pr.becomeProbe();
    }
    maybeCommit();
    sendAppends(from, false);
    maybeSendTimeoutNow(from, pr);
    raft.configChange().onProgress(from, pr.match());
  }

  /**
   * The commit rule (§3.6.2): commitIndex moves to the largest N held by a majority (counting
   * the leader's handed-out entries, or with parallel leader appends only its entries reported
   * durable, §10.2.1) whose term is the current term. Entries of earlier terms
   * commit only indirectly, by Log Matching (Figure 3.7 shows why counting them is wrong).
   */
  void maybeCommit() {
    RaftLog log = raft.log();
    long candidate;
    if (raft.bug() == Raft.Bug.COMMIT_QUORUM_OF_ONE) {
      candidate = log.handedOut();
    } else {
      // Only the voters of the newest configuration count (§4.1), the leader only if it is one.
      long own = raft.config().parallelLeaderAppend() ? log.persisted() : log.handedOut();
      candidate = raft.membership().quorumValue(voter -> voter == raft.self() ? own
          : repairing.contains(voter) || !progress.containsKey(voter) ? 0
          : progress.get(voter).match());
    }
    if (candidate <= raft.commitIndex()) {
      return;
    }
    if (raft.bug() != Raft.Bug.COMMIT_EARLIER_TERM_BY_COUNTING
        && log.termAt(candidate) != raft.term()) {
      return;
    }
    raft.commitTo(candidate);
  }

  private boolean majorityActive() {
    long active = raft.membership().quorumValue(voter -> voter == raft.self()
        || progress.containsKey(voter) && progress.get(voter).recentActive() ? 1 : 0);
    progress.values().forEach(pr -> pr.setRecentActive(false));
    return active == 1;
  }

  /** Leadership transfer (§3.10): stop taking proposals, catch the target up, TimeoutNow. */
  void transfer(int target) {
    if (!raft.membership().isVoter(target)) {
      throw new IllegalArgumentException("transfer target " + target + " is not one of the voters "
          + raft.membership().voters());
    }
    if (raft.role() != Role.LEADER || target == raft.self() || target == transferTarget) {
      return;
    }
    transferTarget = target;
    transferDeadline = raft.now() + config.electionTimeoutMillis();
    transferAttempted = true;
    Progress pr = progress.get(target);
    if (pr.match() == raft.log().lastIndex()) {
      raft.send(target, new RaftMessage.TimeoutNow(raft.term()));
    } else {
      sendAppends(target, true);
    }
  }

  private void maybeSendTimeoutNow(int from, Progress pr) {
    if (from == transferTarget && pr.match() == raft.log().lastIndex()) {
      raft.send(from, new RaftMessage.TimeoutNow(raft.term()));
    }
  }

  /** True while {@code peer}'s answers say it repairs: its acknowledgements count for nothing. */
  boolean repairing(int peer) {
    return repairing.contains(peer);
  }

  boolean transferring() {
    return transferTarget != Raft.NONE;
  }

  int transferTarget() {
    return transferTarget;
  }

  /** True once this term saw a transfer attempt: its TimeoutNow may still start an election. */
  boolean transferAttempted() {
    return transferAttempted;
  }

  Progress progress(int peer) {
    return progress.get(peer);
  }

  /** Flow-control invariants: the leader never plans to send beyond its own log. */
  void checkInvariants() {
    long last = raft.log().lastIndex();
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      Progress pr = e.getValue();
      if (pr.match() > last || pr.next() > last + 1 || pr.next() <= pr.match()) {
        throw new IllegalStateException("progress of " + e.getKey() + " is " + pr
            + " with last index " + last + " in " + raft);
      }
    }
  }

  @Override
  public String toString() {
    return "progress=" + progress + (repairing.isEmpty() ? "" : ", repairing " + repairing)
        + (transferring() ? ", transferring to " + transferTarget : "");
  }
}
