package io.lockstep.order;

import java.util.List;
import java.util.Objects;

/**
 * A change to a replica's stable storage (X1). The runtime must make every write of a
 * {@link Ready} durable (fsync in the real runtime) before it sends that Ready's messages, so a
 * replica never promises what it could forget in a crash.
 */
public sealed interface StorageWrite {
  /** The vote and term that must survive a crash (Raft: currentTerm, votedFor; -1 = none). */
  record HardState(long term, int votedFor) implements StorageWrite {}

  /**
   * Appends entries. If the first entry's index is at or below the stored last index, the stored
   * suffix from that index on is discarded first (a follower overwriting a conflicting suffix).
   */
  record Append(List<LogEntry> entries) implements StorageWrite {
    public Append {
      entries = List.copyOf(entries);
      if (entries.isEmpty()) {
        throw new IllegalArgumentException("append of no entries");
      }
    }
  }

  /**
   * Stores a snapshot of the state machine (and executor) at {@code index} and discards every
   * log entry at or below it (X2). If the stored log holds an entry at {@code index} with the
   * snapshot's term, the entries after it are kept (they follow the snapshot); otherwise the
   * whole stored log is discarded, because nothing after the snapshot is known to match it (Raft
   * §7, a follower installing a leader's snapshot). Must be written atomically: after a crash
   * either the old or the new snapshot is found, never a mix.
   */
  record SaveSnapshot(Snapshot snapshot) implements StorageWrite {
    public SaveSnapshot {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }
}
