package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.Set;

/**
 * Rebuilding a replica's state from its stable storage after a crash (X1): the log after the
 * snapshot, and the term and vote. Inconsistent storage is a bad argument, reported clearly.
 */
final class Recovery {
  private Recovery() {}

  static RaftLog log(Recovered recovered, Set<Integer> members) {
    Snapshot snap = recovered.snapshot();
    RaftLog log = snap == null ? new RaftLog(0, 0, 0)
        : new RaftLog(snap.index(), snap.term(), snap.time());
    if (snap != null && !Set.copyOf(snap.members()).equals(members)) {
      throw new IllegalArgumentException("recovered snapshot is of members " + snap.members()
          + " but the configuration has " + members);
    }
    for (LogEntry entry : recovered.entries()) {
      if (entry.index() <= log.snapshotIndex()) {
        continue;
      }
      if (entry.index() != log.lastIndex() + 1) {
        throw new IllegalArgumentException("recovered entry " + entry.index() + " (term "
            + entry.term() + ") does not follow " + log.lastIndex() + " (term "
            + log.lastTerm() + ")");
      }
      if (entry.term() < log.lastTerm()) {
        break; // a stale suffix left behind by a conflicting InstallSnapshot (see Raft's doc)
      }
      log.append(entry);
    }
    log.markHandedOut();
    log.markPersisted();
    return log;
  }

  /** The term and vote to resume with. */
  static StorageWrite.HardState hardState(StorageWrite.HardState stored, RaftLog log,
      Set<Integer> members) {
    long term = 0;
    int votedFor = Raft.NONE;
    if (stored != null) {
      if (stored.term() < 0) {
        throw new IllegalArgumentException("recovered term is negative: " + stored.term());
      }
      if (stored.votedFor() != Raft.NONE && !members.contains(stored.votedFor())) {
        throw new IllegalArgumentException("recovered vote for non-member " + stored.votedFor());
      }
      term = stored.term();
      votedFor = stored.votedFor();
    }
    if (log.lastTerm() > term) {
      // The stored hard state is older than the entries (lost, or written out of order). Any vote
      // cast in that term was never sent (messages wait for durability): voting afresh is safe.
      return new StorageWrite.HardState(log.lastTerm(), Raft.NONE);
    }
    return new StorageWrite.HardState(term, votedFor);
  }
}
