package io.lockstep.order.raft;

import io.lockstep.order.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's InstallSnapshot transfers (§5.3 chunked, Figure 13) to followers behind the log's
 * start: which snapshot a transfer sends, one chunk at a time, or which other replica is named
 * to send it instead (S22 from any up-to-date replica, {@link SnapshotFetch}); what the
 * follower's answers and heartbeat answers say about the transfer; chunks lost on the way sent
 * again, and transfers to followers gone silent given up.
 *
 * <p>Separate from {@link Replication} because a transfer runs by its own rules while
 * AppendEntries wait: one chunk in flight per follower, resent on a timer rather than on a
 * reject, a source that may take over, and a snapshot held to the transfer's end. Replication
 * keeps each follower's {@link Progress} and decides when a follower needs a snapshot; this
 * changes only the snapshot state of that progress, and hands the follower back to Replication
 * ({@link Replication#resume}) to go on from the log. Deterministic: time comes from
 * {@link Raft#now()} and the leader's ticks.
 */
final class SnapshotTransfers {
  /**
   * Election timeouts of silence after which a follower's snapshot transfer counts as failed
   * and its snapshot is released: longer than a source's fallback (two) and a few lost chunks.
   */
  static final int FAILED_TRANSFER_TIMEOUTS = 4;

  private final Raft raft;
  private final RaftConfig config;
  /** Replication's per-follower state, read here; only Replication adds or drops followers. */
  private final Map<Integer, Progress> progress;
  private final Set<Integer> repairing;
  private final Map<Integer, Long> heardAt;
  /** Whether a follower behind the log's start is sent to another replica for the snapshot. */
  private boolean fromSources = true;

  /**
   * Transfers for the followers of {@code progress}, of which {@code repairing} repair damaged
   * storage and {@code heardAt} says when each last answered (all three kept by Replication).
   */
  SnapshotTransfers(Raft raft, Map<Integer, Progress> progress, Set<Integer> repairing,
      Map<Integer, Long> heardAt) {
    this.raft = raft;
    this.config = raft.config();
    this.progress = progress;
    this.repairing = repairing;
    this.heardAt = heardAt;
  }

  /** Starts sending {@code to} the current snapshot, holding it until the transfer ends. */
  void start(int to, Progress pr) {
    pr.becomeSnapshot(HeldSnapshot.hold(currentSnapshot()), raft.now());
    sendChunk(to, pr);
  }

  private Snapshot currentSnapshot() {
    // The log may keep a margin of entries below the snapshot, never start after it.
    if (raft.snapshot() == null || raft.snapshot().index() < raft.log().snapshotIndex()) {
      throw new IllegalStateException("log compacted to " + raft.log().snapshotIndex()
          + " without a matching snapshot in " + raft);
    }
    return raft.snapshot();
  }

  /**
   * Sends the chunk at the follower's acknowledged offset unless one is in flight (§5.3 chunked,
   * Figure 13): each chunk is read from the held snapshot and encoded once, and is sent again
   * only if it went unanswered for an election timeout. A newer snapshot taken meanwhile does
   * not replace the one being sent: the transfer would start over, and one that lasts longer
   * than the gap between snapshots would never end.
   */
  void sendChunk(int to, Progress pr) {
    if (pr.chunkInFlight()) {
      return;
    }
    Snapshot snapshot = pr.sending().snapshot();
    if (!pr.sourceNamed() && pr.snapshotOffset() == 0 && fromSources) {
      int source = snapshotSource(to, new RaftMessage.SnapshotId(snapshot.index(),
          snapshot.term(), pr.sending().checksum()));
      if (source != Raft.NONE) {
        raft.send(to, new RaftMessage.SnapshotSource(raft.term(), source,
            progress.get(source).reported()));
        pr.sourceNamed(raft.now(), raft.readIndex().lastRound());
        return;
      }
    }
    raft.send(to, SnapshotChunks.chunk(raft.term(), pr.sending(), pr.snapshotOffset()));
    pr.chunkSent(raft.now());
  }

  /**
   * A replica other than the leader to send {@code to} a snapshot at or past the leader's own
   * {@code sending} (S22 from any up-to-date replica, {@link SnapshotFetch}): a voter the leader
   * heard from recently, not repairing, that reported holding such a snapshot in its heartbeat
   * answers (at the leader's index, it must be the leader's snapshot: same term and checksum,
   * else its copy is damaged), chosen by {@code to} so that several lagging followers spread
   * over several sources. NONE if there is no such replica: the leader sends its own.
   */
  private int snapshotSource(int to, RaftMessage.SnapshotId sending) {
    List<Integer> sources = progress.entrySet().stream()
        .filter(e -> e.getKey() != to && e.getValue().recentActive()
            && !repairing.contains(e.getKey())
            && raft.membership().voters().contains(e.getKey())
            && mayServe(e.getValue().reported(), sending))
        .map(Map.Entry::getKey).sorted().toList();
    return sources.isEmpty() ? Raft.NONE : sources.get(Math.floorMod(to, sources.size()));
  }

  /** Whether a replica that reported {@code held} may serve in place of {@code sending}. */
  private static boolean mayServe(RaftMessage.SnapshotId held, RaftMessage.SnapshotId sending) {
    return held.index() > sending.index() || held.equals(sending);
  }

  /**
   * The leader sends every snapshot itself, as before sources existed (for tests of the leader's
   * own chunking, which a source would otherwise take over).
   */
  void sendOnlyFromLeader() {
    fromSources = false;
  }

  /**
   * The oldest snapshot being sent to a follower, or {@link Long#MAX_VALUE}: compaction keeps
   * the entries after it (within the margin's byte cap), so the follower catches up from the
   * log once that snapshot lands instead of needing a newer one.
   */
  long oldestSnapshotSent() {
    long oldest = Long.MAX_VALUE;
    for (Progress pr : progress.values()) {
      if (pr.state() == Progress.State.SNAPSHOT) {
        oldest = Math.min(oldest, pr.pendingSnapshot());
      }
    }
    return oldest;
  }

  /**
   * What a heartbeat answer from a follower tells about its snapshots: the one it holds (a
   * source it may become), and whether a transfer to it already ended or lost its naming.
   */
  void onHeartbeatAnswer(Progress pr, RaftMessage.HeartbeatResponse response) {
    pr.reported(response.held());
    if (pr.state() == Progress.State.SNAPSHOT && response.held().index() >= pr.pendingSnapshot()
        && response.held().index() <= raft.commitIndex()) {
      // The follower holds the snapshot being sent, or a newer one: its answer to the last chunk
      // (or to the source's) was lost. Without this the leader would wait on a follower that
      // keeps answering heartbeats, and never send it the log after the snapshot. A snapshot
      // holds only committed positions, so counting it as matched cannot commit anything.
      pr.maybeUpdate(response.held().index());
      pr.becomeProbe();
    }
    if (pr.namingLost(response.readContext(), response.fetching())) {
      // A heartbeat sent after the source was named found the follower fetching nothing: the
      // naming (or the follower's answer giving up on the source) was lost. Sending its own
      // chunks now beats waiting on a follower whose heartbeat answers would keep the wait on.
      pr.chunkLost();
    } else if (response.fetching() > 0) {
      pr.stillFetching(raft.now());
    }
  }

  /**
   * An InstallSnapshotResponse from {@code from} that answers a chunk of the transfer still
   * under way (it names an index below the snapshot being sent); false if the transfer landed,
   * or there is none, and the answer counts as an acknowledgement of the log.
   */
  boolean onChunkAnswer(int from, Progress pr, RaftMessage.InstallSnapshotResponse response) {
    if (pr.state() != Progress.State.SNAPSHOT || response.index() >= pr.pendingSnapshot()) {
      return false;
    }
    // A chunk's answer: go on from what the follower holds. Answers to no chunk in flight
    // are duplicates or late, and would make the leader send a chunk twice.
    if (pr.chunkInFlight() && response.snapshotIndex() == pr.pendingSnapshot()
        && response.received() <= pr.sending().snapshot().data().size()) {
      pr.chunkAnswered(response.received());
      raft.replication().resume(from);
    } else if (pr.fetchingFromSource()) {
      // The follower gave up on a source whose (newer) snapshot it was fetching: the
      // leader's own goes from the start; a follower holding more of it says so.
      pr.chunkAnswered(0);
      raft.replication().resume(from);
    }
    return true;
  }

  /**
   * A chunk unanswered for an election timeout was probably lost: send it again. A follower
   * sent to a source gets two: it gives up on a silent source after one and says where to go
   * on, which is better than a chunk from the start; the leader's timer only covers a follower
   * that is itself gone or cut off, and starts again at each of its heartbeat answers (a long
   * transfer from a source is not taken over while the follower lives).
   */
  void retryLost(long now) {
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      Progress pr = e.getValue();
      long wait = (pr.fetchingFromSource() ? 2 : 1) * config.electionTimeoutMillis();
      if (transferFailed(e.getKey(), pr, now)) {
        // Stop holding an old snapshot (and the log after it) for a follower that is gone; if
        // it comes back, it gets the snapshot that is newest then.
        pr.abandonSnapshot();
        raft.replication().resume(e.getKey());
        continue;
      }
      if (pr.state() == Progress.State.SNAPSHOT && pr.chunkInFlight()
          && now - pr.snapshotSentAt() >= wait) {
        pr.chunkLost();
        raft.replication().resume(e.getKey());
      }
    }
  }

  /**
   * A transfer has failed once its follower was silent for {@link #FAILED_TRANSFER_TIMEOUTS}
   * election timeouts while a newer snapshot exists; holding the newest one costs nothing.
   */
  private boolean transferFailed(int peer, Progress pr, long now) {
    return pr.state() == Progress.State.SNAPSHOT
        && pr.pendingSnapshot() < currentSnapshot().index()
        && now - heardAt.get(peer) >= FAILED_TRANSFER_TIMEOUTS * config.electionTimeoutMillis();
  }
}
