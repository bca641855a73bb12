package io.lockstep.order.raft;

import io.lockstep.order.StorageWrite;
import java.nio.ByteBuffer;

/**
 * Raft's durable state (Raft §5, Figure 2: currentTerm and votedFor), plus the repair state of
 * protocol-aware recovery, and its encoding as the opaque {@link StorageWrite.HardState} the
 * runtime stores.
 *
 * <p>12 bytes, a big-endian i64 term then an i32 vote ({@link Raft#NONE} for none), when the
 * replica is not repairing and has no vote floor: the layout stable storage used before hard
 * states became opaque, so data directories written then still start. Otherwise 28 bytes: the
 * same, then i64 {@code repairThrough} and i64 {@code noVoteThrough}. Persisting them is what
 * makes a crash during repair resume the repair instead of forgetting it.
 *
 * @param repairThrough the replica repairs until its commit index reaches this; {@link #NO_REPAIR}
 *     when it is not repairing
 * @param noVoteThrough the replica grants no vote in any term up to this one: terms in which a
 *     vote lost with damaged storage may have been cast
 */
record TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough) {
  static final int BYTES = 12;
  static final int REPAIR_BYTES = 28;
  static final long NO_REPAIR = -1;

  TermAndVote(long term, int votedFor) {
    this(term, votedFor, NO_REPAIR, 0);
  }

  StorageWrite.HardState toHardState() {
    if (repairThrough == NO_REPAIR && noVoteThrough == 0) {
      return new StorageWrite.HardState(ByteBuffer.allocate(BYTES).putLong(term)
          .putInt(votedFor).array());
    }
    return new StorageWrite.HardState(ByteBuffer.allocate(REPAIR_BYTES).putLong(term)
        .putInt(votedFor).putLong(repairThrough).putLong(noVoteThrough).array());
  }

  /**
   * Reads a stored hard state.
   *
   * @throws IllegalArgumentException if it is not Raft's (wrong length or negative values)
   */
  static TermAndVote of(StorageWrite.HardState stored) {
    byte[] bytes = stored.state();
    if (bytes.length != BYTES && bytes.length != REPAIR_BYTES) {
      throw new IllegalArgumentException("recovered hard state has " + bytes.length
          + " bytes; Raft's has " + BYTES + " or " + REPAIR_BYTES
          + " (is this data directory another protocol's?)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long term = in.getLong();
    int vote = in.getInt();
    TermAndVote read = bytes.length == BYTES ? new TermAndVote(term, vote)
        : new TermAndVote(term, vote, in.getLong(), in.getLong());
    if (read.term < 0 || read.repairThrough < NO_REPAIR || read.noVoteThrough < 0) {
      throw new IllegalArgumentException("recovered hard state has a negative value: " + read);
    }
    return read;
  }
}
