package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;

/**
 * Rebuilding a replica's state from its stable storage after a crash (X1): the log after the
 * snapshot, and the term and vote. Inconsistent storage is a bad argument, reported clearly.
 */
final class Recovery {
  private Recovery() {}

  static RaftLog log(Recovered recovered) {
    Snapshot snap = recovered.snapshot();
    RaftLog log = snap == null ? new RaftLog(0, 0, 0)
        : new RaftLog(snap.index(), snap.term(), snap.time());
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
        // Terms never decrease along a Raft log, and stable storage drops the whole log when a
        // snapshot does not match it, so no stale suffix can follow a snapshot: a regression
        // is damage or a bug. Dropping the entries silently could lose committed ones.
        throw new IllegalArgumentException("recovered entry " + entry.index() + " has term "
            + entry.term() + ", below the term " + log.lastTerm() + " of the entry (or snapshot)"
            + " before it: the stored log is damaged; refusing to start rather than drop"
            + " entries that may be committed");
      }
      log.append(entry);
    }
    log.markHandedOut();
    log.markPersisted();
    return log;
  }

  /** The term and vote to resume with. */
  static TermAndVote hardState(StorageWrite.HardState stored, RaftLog log) {
    TermAndVote resumed = stored == null ? new TermAndVote(0, Raft.NONE) : TermAndVote.of(stored);
    if (resumed.votedFor() < Raft.NONE) {
      throw new IllegalArgumentException("recovered vote for invalid id " + resumed.votedFor());
    }
    if (log.lastTerm() > resumed.term()) {
      // The stored hard state is older than the entries (lost, or written out of order). Any vote
      // cast in that term was never sent (messages wait for durability): voting afresh is safe.
      return new TermAndVote(log.lastTerm(), Raft.NONE, TermAndVote.NO_REPAIR, 0,
          resumed.incarnations(), resumed.removal());
    }
    return resumed;
  }
}
