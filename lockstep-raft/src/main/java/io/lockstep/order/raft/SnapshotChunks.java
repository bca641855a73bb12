package io.lockstep.order.raft;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.SnapshotReceiver;

/**
 * Chunked InstallSnapshot (§5.3, Figure 13): the leader cuts its stored snapshot into chunks read
 * one at a time, and a follower collects them in order until the last one completes the
 * snapshot. Chunks of one snapshot are identical whichever replica sends them, because the state
 * at a committed index is byte-identical on every replica; so a follower keeps what it has
 * across a lost chunk or a leader change, and says where to go on.
 */
final class SnapshotChunks {
  /** Largest chunk, and what the leader sends. */
  static final int MAX_CHUNK_BYTES = 1 << 20;
  /** Largest snapshot a follower accepts: what a 64-bit heap can plausibly hold. */
  static final long MAX_SNAPSHOT_BYTES = 1L << 40;

  private SnapshotChunks() {}

  /**
   * The chunk of {@code held}'s snapshot at {@code offset}, read from its (usually stored) data,
   * with the whole state's checksum.
   */
  static RaftMessage.InstallSnapshot chunk(long term, HeldSnapshot held, long offset) {
    Snapshot snapshot = held.snapshot();
    SnapshotData data = snapshot.data();
    int length = (int) Math.min(MAX_CHUNK_BYTES, data.size() - offset);
    return new RaftMessage.InstallSnapshot(term, snapshot.index(), snapshot.term(),
        snapshot.time(), snapshot.members(), data.size(), held.checksum(), offset,
        data.read(offset, length));
  }

  /**
   * A follower's partly received snapshot. The bytes go to the runtime's
   * {@link SnapshotReceiver} as each chunk arrives; this keeps only the position, so a chunk is
   * garbage once its answer is sent.
   */
  static final class Receiving {
    private final long index;
    private final long snapshotTerm;
    private final long size;
    private final int checksum;
    private final SnapshotReceiver.Incoming incoming;

    Receiving(RaftMessage.InstallSnapshot first, SnapshotReceiver receiver) {
      this.index = first.index();
      this.snapshotTerm = first.snapshotTerm();
      this.size = first.size();
      this.checksum = first.checksum();
      this.incoming = receiver.begin(index, snapshotTerm, size);
    }

    /** True if {@code m} is a chunk of the snapshot this collects. */
    boolean sameSnapshot(RaftMessage.InstallSnapshot m) {
      return m.index() == index && m.snapshotTerm() == snapshotTerm && m.size() == size
          && m.checksum() == checksum;
    }

    long index() {
      return index;
    }

    long received() {
      return incoming.received();
    }

    /**
     * Whether what was received, once complete, has the whole checksum every chunk carried: a
     * snapshot damaged on the way or at its sender is dropped, never installed.
     */
    boolean intact() {
      return incoming.crc32c() == checksum;
    }

    /**
     * Takes the chunk if it is the next one; returns false (and keeps nothing) otherwise, and the
     * follower then answers with {@link #received()}.
     */
    boolean add(RaftMessage.InstallSnapshot m) {
      if (!sameSnapshot(m) || m.offset() != received() || m.data().length == 0 && !m.done()) {
        return false;
      }
      if (m.data().length > 0) {
        incoming.append(m.data());
      }
      return true;
    }

    boolean complete() {
      return received() == size;
    }

    /** Drops what was received: this snapshot is no longer wanted. */
    void abandon() {
      incoming.abandon();
    }

    /** The whole snapshot, once {@link #complete()}. */
    Snapshot snapshot(RaftMessage.InstallSnapshot last) {
      if (!complete()) {
        throw new IllegalStateException("snapshot at " + index + " has " + received() + " of "
            + size + " bytes");
      }
      return new Snapshot(index, snapshotTerm, last.time(), last.members(), incoming.complete());
    }
  }
}
