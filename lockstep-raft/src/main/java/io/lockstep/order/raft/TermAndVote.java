package io.lockstep.order.raft;

import io.lockstep.order.StorageWrite;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft's durable state (Raft §5, Figure 2: currentTerm and votedFor), plus the repair state of
 * protocol-aware recovery, and its encoding as the opaque {@link StorageWrite.HardState} the
 * runtime stores.
 *
 * <p>12 bytes, a big-endian i64 term then an i32 vote ({@link Raft#NONE} for none), when the
 * replica is not repairing and has no vote floor: the layout stable storage used before hard
 * states became opaque, so data directories written then still start. Otherwise 28 bytes: the
 * same, then i64 {@code repairThrough} and i64 {@code noVoteThrough}. Persisting them is what
 * makes a crash during repair resume the repair instead of forgetting it. With
 * {@link Incarnations} (every hard state Raft writes now; the two layouts above are read as
 * written before wipe detection existed): the 28 bytes, then i64 own incarnation, u8 verified,
 * u32 count and count × (i32 peer, i64 incarnation), so 41 + 12·count bytes, never 12 or 28.
 *
 * @param repairThrough the replica repairs until its commit index reaches this; {@link #NO_REPAIR}
 *     when it is not repairing
 * @param noVoteThrough the replica grants no vote in any term up to this one: terms in which a
 *     vote lost with damaged storage may have been cast
 * @param incarnations the wipe detection state, or null in a hard state written before it
 */
record TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough,
    Incarnations incarnations) {
  static final int BYTES = 12;
  static final int REPAIR_BYTES = 28;
  static final int INCARNATION_BYTES = REPAIR_BYTES + 13;
  static final long NO_REPAIR = -1;

  TermAndVote(long term, int votedFor) {
    this(term, votedFor, NO_REPAIR, 0);
  }

  TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough) {
    this(term, votedFor, repairThrough, noVoteThrough, null);
  }

  StorageWrite.HardState toHardState() {
    if (incarnations != null) {
      return withIncarnations();
    }
    if (repairThrough == NO_REPAIR && noVoteThrough == 0) {
      return new StorageWrite.HardState(ByteBuffer.allocate(BYTES).putLong(term)
          .putInt(votedFor).array());
    }
    return new StorageWrite.HardState(ByteBuffer.allocate(REPAIR_BYTES).putLong(term)
        .putInt(votedFor).putLong(repairThrough).putLong(noVoteThrough).array());
  }

  private StorageWrite.HardState withIncarnations() {
    ByteBuffer out = ByteBuffer.allocate(INCARNATION_BYTES + 12 * incarnations.known().size())
        .putLong(term).putInt(votedFor).putLong(repairThrough).putLong(noVoteThrough)
        .putLong(incarnations.self()).put((byte) (incarnations.verified() ? 1 : 0))
        .putInt(incarnations.known().size());
    new TreeMap<>(incarnations.known()).forEach((peer, inc) -> out.putInt(peer).putLong(inc));
    return new StorageWrite.HardState(out.array());
  }

  /**
   * Reads a stored hard state.
   *
   * @throws IllegalArgumentException if it is not Raft's (wrong length or negative values)
   */
  static TermAndVote of(StorageWrite.HardState stored) {
    byte[] bytes = stored.state();
    boolean extended = bytes.length >= INCARNATION_BYTES
        && (bytes.length - INCARNATION_BYTES) % 12 == 0;
    if (bytes.length != BYTES && bytes.length != REPAIR_BYTES && !extended) {
      throw new IllegalArgumentException("recovered hard state has " + bytes.length
          + " bytes; Raft's has " + BYTES + ", " + REPAIR_BYTES + " or " + INCARNATION_BYTES
          + " + 12 per remembered peer (is this data directory another protocol's?)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long term = in.getLong();
    int vote = in.getInt();
    TermAndVote read = bytes.length == BYTES ? new TermAndVote(term, vote)
        : new TermAndVote(term, vote, in.getLong(), in.getLong(),
            extended ? readIncarnations(in, bytes.length) : null);
    if (read.term < 0 || read.repairThrough < NO_REPAIR || read.noVoteThrough < 0) {
      throw new IllegalArgumentException("recovered hard state has a negative value: " + read);
    }
    return read;
  }

  private static Incarnations readIncarnations(ByteBuffer in, int length) {
    long self = in.getLong();
    int verified = in.get();
    int count = in.getInt();
    if (verified >> 1 != 0 || count != (length - INCARNATION_BYTES) / 12) {
      throw new IllegalArgumentException("recovered hard state's incarnations are malformed"
          + " (verified byte " + verified + ", count " + count + " in " + length + " bytes)");
    }
    Map<Integer, Long> known = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      known.put(in.getInt(), in.getLong());
    }
    return new Incarnations(self, verified == 1, known);
  }

  /** The same durable state at another term and vote (repair and incarnations kept). */
  TermAndVote withTermAndVote(long newTerm, int newVote) {
    return new TermAndVote(newTerm, newVote, repairThrough, noVoteThrough, incarnations);
  }
}
