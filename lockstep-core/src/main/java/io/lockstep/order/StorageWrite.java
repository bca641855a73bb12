package io.lockstep.order;

import java.util.List;
import java.util.Objects;

/**
 * A change to a replica's stable storage (X1). The runtime must make every write of a
 * {@link Ready} durable (fsync in the real runtime) before it sends that Ready's messages, so a
 * replica never promises what it could forget in a crash.
 */
public sealed interface StorageWrite {
  /**
   * The protocol's own state that must survive a crash (Raft: currentTerm and votedFor), in a
   * form only the protocol reads; the latest one written is what {@link Recovered} returns.
   * Keeping it opaque lets one storage engine serve every protocol.
   */
  record HardState(byte[] state) implements StorageWrite {
    /** Largest hard state accepted: it is rewritten often, so it must stay small. */
    public static final int MAX_BYTES = 4096;

    public HardState {
      Objects.requireNonNull(state, "state");
      if (state.length > MAX_BYTES) {
        throw new IllegalArgumentException("hard state of " + state.length + " bytes exceeds "
            + MAX_BYTES);
      }
      state = state.clone();
    }

    @Override
    public byte[] state() {
      return state.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof HardState h && java.util.Arrays.equals(state, h.state);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(state);
    }

    @Override
    public String toString() {
      return "HardState[" + java.util.HexFormat.of().formatHex(state) + "]";
    }
  }

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
