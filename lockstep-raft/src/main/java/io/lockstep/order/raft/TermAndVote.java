package io.lockstep.order.raft;

import io.lockstep.order.StorageWrite;
import java.nio.ByteBuffer;

/**
 * Raft's durable state (Raft §5, Figure 2: currentTerm and votedFor) and its encoding as the
 * opaque {@link StorageWrite.HardState} the runtime stores: 12 bytes, a big-endian i64 term then
 * an i32 vote ({@link Raft#NONE} for none). The layout is the one stable storage used before
 * hard states became opaque, so data directories written then still start.
 */
record TermAndVote(long term, int votedFor) {
  static final int BYTES = 12;

  StorageWrite.HardState toHardState() {
    return new StorageWrite.HardState(ByteBuffer.allocate(BYTES).putLong(term).putInt(votedFor)
        .array());
  }

  /**
   * Reads a stored hard state.
   *
   * @throws IllegalArgumentException if it is not Raft's (wrong length or negative term)
   */
  static TermAndVote of(StorageWrite.HardState stored) {
    byte[] bytes = stored.state();
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("recovered hard state has " + bytes.length
          + " bytes; Raft's has " + BYTES + " (is this data directory another protocol's?)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    TermAndVote read = new TermAndVote(in.getLong(), in.getInt());
    if (read.term < 0) {
      throw new IllegalArgumentException("recovered term is negative: " + read.term);
    }
    return read;
  }
}
