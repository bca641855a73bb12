package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotReceiver;
import java.util.List;

/**
 * A follower's handling of its leader's messages: the AppendEntries consistency check and
 * conflicting-suffix overwrite (§3.5, Log Matching), commit from the leader, heartbeats, and
 * InstallSnapshot (§5.3). The caller has already checked the term and that the sender leads it.
 */
final class Follower {
  private final Raft raft;
  /** Where received snapshot chunks go (a file in the real runtime, not this heap). */
  private final SnapshotReceiver receiver;
  /** The snapshot being received in chunks, kept across lost chunks and leader changes. */
  private SnapshotChunks.Receiving receiving;

  Follower(Raft raft, SnapshotReceiver receiver) {
    this.raft = raft;
    this.receiver = receiver;
  }

  void onAppendEntries(int from, RaftMessage.AppendEntries m) {
    raft.repair().onAppendEntries(m.leaderCommit());
    long commit = raft.commitIndex();
    long prevIndex = m.prevLogIndex();
    long prevTerm = m.prevLogTerm();
    List<LogEntry> entries = m.entries();
    if (prevIndex < commit) {
      // Committed entries match the leader's (Leader Completeness); skip them, perhaps compacted.
      int skip = (int) Math.min(commit - prevIndex, entries.size());
      if (skip == entries.size()) {
        raft.send(from, response(true, commit, 0, 0));
        return;
      }
      prevIndex += skip;
      prevTerm = entries.get(skip - 1).term();
      entries = entries.subList(skip, entries.size());
    }
    RaftLog log = raft.log();
    if (!log.matches(prevIndex, prevTerm)) {
      long hintIndex = log.findConflictByTerm(Math.min(prevIndex, log.lastIndex()), prevTerm);
      raft.send(from, response(false, m.prevLogIndex(), hintIndex, log.termAt(hintIndex)));
      return;
    }
    appendNew(entries);
    long lastNew = prevIndex + entries.size();
    // Only entries checked against the leader's log may be committed (§3.5).
    raft.commitTo(Math.min(m.leaderCommit(), lastNew));
    raft.send(from, response(true, lastNew, 0, 0));
  }

  /** An answer marked "repairing" while this replica repairs, so the leader does not count it. */
  private RaftMessage.AppendEntriesResponse response(boolean success, long index, long hintIndex,
      long hintTerm) {
    return new RaftMessage.AppendEntriesResponse(raft.term(), success, index, hintIndex, hintTerm,
        raft.wallClock(), raft.holdsBack() && raft.bug() != Raft.Bug.SKIP_REPAIR);
  }

  /**
   * Appends the entries not already present; at the first one whose term differs, the existing
   * entry and all that follow it are deleted first (§3.5). Matching entries are kept, so a
   * duplicated or reordered AppendEntries never truncates anything.
   */
  private void appendNew(List<LogEntry> entries) {
    RaftLog log = raft.log();
    for (int i = 0; i < entries.size(); i++) {
      LogEntry entry = entries.get(i);
      if (entry.index() <= log.lastIndex()) {
        if (log.termAt(entry.index()) == entry.term()) {
          continue;
        }
        log.truncateFrom(entry.index());
        raft.membership().truncatedFrom(entry.index());
      }
      for (int j = i; j < entries.size(); j++) {
        raft.appendReceived(entries.get(j));
      }
      return;
    }
  }

  void onHeartbeat(int from, RaftMessage.Heartbeat m) {
    // The leader caps the commit at our known matchIndex, so it is safe to adopt; but while we
    // repair, that matchIndex may describe entries we lost, so only AppendEntries commit.
    if (!raft.holdsBack()) {
      raft.commitTo(Math.min(m.commit(), raft.log().lastIndex()));
    } else {
      // Tell the leader we repair: it may believe we hold everything (a stale matchIndex) and
      // then send no AppendEntries at all. Index 0 rejects nothing it could have sent.
      raft.send(from, response(false, 0, 0, 0));
    }
    raft.send(from, new RaftMessage.HeartbeatResponse(raft.term(), m.readContext(),
        raft.wallClock(), raft.fetch().heldId(), raft.fetch().fetchingIndex()));
  }

  /**
   * InstallSnapshot (§5.3, Figure 13), one chunk at a time: chunks are collected in order (a
   * chunk that is not the next one is answered with how much is held, which is where the leader
   * goes on); the last one installs the snapshot: keep the log after it if the log holds the
   * snapshot's last entry (the leader's log continues it), else discard the whole log; the
   * executor restarts from the snapshot.
   */
  void onInstallSnapshot(int from, RaftMessage.InstallSnapshot m) {
    if (m.index() <= raft.commitIndex()) {
      abandonReceiving();
      raft.send(from, new RaftMessage.InstallSnapshotResponse(raft.term(), raft.commitIndex(),
          m.index(), m.size()));
      return;
    }
    Chunk taken = take(m, true);
    if (taken == Chunk.INSTALLED) {
      raft.send(from, new RaftMessage.InstallSnapshotResponse(raft.term(), m.index(), m.index(),
          m.size()));
    } else {
      if (taken == Chunk.CORRUPT) {
        // Held now: 0 bytes, so the leader sends the snapshot again from its start.
        raft.drop("the snapshot at " + m.index() + " from leader " + from + " does not match"
            + " its whole checksum: dropped, received again");
      }
      raft.send(from, new RaftMessage.InstallSnapshotResponse(raft.term(), raft.commitIndex(),
          m.index(), received(m.index())));
    }
  }

  /** What became of one chunk. */
  enum Chunk {
    /** Not the next chunk of the snapshot being received: nothing kept. */
    REFUSED,
    /** Stored; more chunks are needed. */
    TAKEN,
    /** The last chunk: the snapshot is installed. */
    INSTALLED,
    /**
     * The last chunk, but the whole snapshot does not match the checksum it was named with:
     * what was received is dropped, never installed, and the snapshot is fetched again.
     */
    CORRUPT
  }

  /**
   * Takes one chunk of a snapshot past the commit index, whether the leader or a source sent
   * it: chunks of one snapshot are identical from every replica ({@link SnapshotChunks}). If
   * {@code checked} (always, but for a test's injected bug), the whole snapshot is checked
   * against the checksum its chunks carry before it is installed.
   */
  Chunk take(RaftMessage.InstallSnapshot m, boolean checked) {
    if (receiving == null || !receiving.sameSnapshot(m)
        || m.offset() == 0 && receiving.received() == 0) {
      // A chunk of another snapshot starts over only from its beginning.
      abandonReceiving();
      receiving = m.offset() == 0 ? new SnapshotChunks.Receiving(m, receiver) : null;
    }
    if (receiving == null || !receiving.add(m)) {
      return Chunk.REFUSED;
    }
    if (!receiving.complete()) {
      return Chunk.TAKEN;
    }
    if (checked && !receiving.intact()) {
      abandonReceiving();
      return Chunk.CORRUPT;
    }
    Snapshot snapshot = receiving.snapshot(m);
    receiving = null;
    install(snapshot);
    return Chunk.INSTALLED;
  }

  /** Bytes held of the snapshot at {@code index} being received (0 if another or none). */
  long received(long index) {
    return receiving != null && receiving.index() == index ? receiving.received() : 0;
  }

  /** Lets the receiver drop a partly received snapshot that is no longer wanted. */
  private void abandonReceiving() {
    if (receiving != null) {
      receiving.abandon();
      receiving = null;
    }
  }

  private void install(Snapshot snapshot) {
    RaftLog log = raft.log();
    boolean logKept = log.matches(snapshot.index(), snapshot.term());
    if (logKept) {
      log.compactTo(snapshot.index());
    } else {
      log.resetTo(snapshot.index(), snapshot.term(), snapshot.time());
    }
    raft.installSnapshot(snapshot, logKept);
  }
}
