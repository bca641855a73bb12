package io.lockstep.order.raft;

import io.lockstep.order.StorageWrite;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
 * written before wipe detection existed): the 28 bytes, then i64 own incarnation, u8 flags,
 * u32 count and count × (i32 peer, i64 incarnation), so 41 + 12·count bytes, never 12 or 28.
 * Flag bit 0 says the incarnation is verified; bit 1 that a {@link Removal} follows: i64 index,
 * u32 n, n × i32 voter. The removal is what makes a replica that learned it was removed
 * ({@link RaftMessage.NotMember}) remember it across a restart, so that it does not campaign
 * again until it is added back. A build before the removal reads bit 1 as a malformed verified
 * byte and refuses to start (a downgrade after a removal was learned is not supported).
 *
 * @param repairThrough the replica repairs until its commit index reaches this; {@link #NO_REPAIR}
 *     when it is not repairing
 * @param noVoteThrough the replica grants no vote in any term up to this one: terms in which a
 *     vote lost with damaged storage may have been cast
 * @param incarnations the wipe detection state, or null in a hard state written before it
 * @param removal the committed configuration a peer reported that excludes this replica and
 *     that its log has not reached, or null; written only with {@code incarnations}
 */
record TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough,
    Incarnations incarnations, Removal removal) {
  static final int BYTES = 12;
  static final int REPAIR_BYTES = 28;
  static final int INCARNATION_BYTES = REPAIR_BYTES + 13;
  static final long NO_REPAIR = -1;
  private static final int VERIFIED = 1;
  private static final int REMOVED = 2;

  /** A reported committed configuration at log index {@code index} without this replica. */
  record Removal(long index, List<Integer> voters) {
    Removal {
      voters = List.copyOf(voters);
    }
  }

  TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough,
      Incarnations incarnations) {
    this(term, votedFor, repairThrough, noVoteThrough, incarnations, null);
  }

  TermAndVote(long term, int votedFor) {
    this(term, votedFor, NO_REPAIR, 0);
  }

  TermAndVote(long term, int votedFor, long repairThrough, long noVoteThrough) {
    this(term, votedFor, repairThrough, noVoteThrough, null);
  }

  StorageWrite.HardState toHardState() {
    if (removal != null && incarnations == null) {
      throw new IllegalStateException("a removal is written with the incarnations only");
    }
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
    int removalBytes = removal == null ? 0 : 12 + 4 * removal.voters().size();
    int flags = (incarnations.verified() ? VERIFIED : 0) | (removal != null ? REMOVED : 0);
    ByteBuffer out = ByteBuffer.allocate(INCARNATION_BYTES + 12 * incarnations.known().size()
        + removalBytes)
        .putLong(term).putInt(votedFor).putLong(repairThrough).putLong(noVoteThrough)
        .putLong(incarnations.self()).put((byte) flags)
        .putInt(incarnations.known().size());
    new TreeMap<>(incarnations.known()).forEach((peer, inc) -> out.putInt(peer).putLong(inc));
    if (removal != null) {
      out.putLong(removal.index()).putInt(removal.voters().size());
      removal.voters().forEach(out::putInt);
    }
    return new StorageWrite.HardState(out.array());
  }

  /**
   * Reads a stored hard state.
   *
   * @throws IllegalArgumentException if it is not Raft's (wrong length or negative values)
   */
  static TermAndVote of(StorageWrite.HardState stored) {
    byte[] bytes = stored.state();
    boolean extended = bytes.length >= INCARNATION_BYTES;
    if (bytes.length != BYTES && bytes.length != REPAIR_BYTES && !extended) {
      throw new IllegalArgumentException("recovered hard state has " + bytes.length
          + " bytes; Raft's has " + BYTES + ", " + REPAIR_BYTES + " or " + INCARNATION_BYTES
          + " + 12 per remembered peer (is this data directory another protocol's?)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long term = in.getLong();
    int vote = in.getInt();
    TermAndVote read = bytes.length == BYTES ? new TermAndVote(term, vote)
        : !extended ? new TermAndVote(term, vote, in.getLong(), in.getLong())
        : new TermAndVote(term, vote, in.getLong(), in.getLong(), readIncarnations(in),
            (bytes[INCARNATION_BYTES - 5] & REMOVED) != 0 ? readRemoval(in) : null);
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("recovered hard state has " + in.remaining()
          + " bytes after its last field");
    }
    if (read.term < 0 || read.repairThrough < NO_REPAIR || read.noVoteThrough < 0) {
      throw new IllegalArgumentException("recovered hard state has a negative value: " + read);
    }
    return read;
  }

  private static Incarnations readIncarnations(ByteBuffer in) {
    long self = in.getLong();
    int flags = in.get();
    int count = in.getInt();
    if (flags >> 2 != 0 || count < 0 || count > in.remaining() / 12) {
      throw new IllegalArgumentException("recovered hard state's incarnations are malformed"
          + " (flags " + flags + ", count " + count + " with " + in.remaining()
          + " bytes left)");
    }
    Map<Integer, Long> known = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      known.put(in.getInt(), in.getLong());
    }
    return new Incarnations(self, (flags & VERIFIED) != 0, known);
  }

  private static Removal readRemoval(ByteBuffer in) {
    if (in.remaining() < 12) {
      throw new IllegalArgumentException(
          "recovered hard state's removal is malformed: cut short");
    }
    long index = in.getLong();
    int count = in.getInt();
    if (index < 1 || count < 0 || count != in.remaining() / 4 || in.remaining() % 4 != 0) {
      throw new IllegalArgumentException("recovered hard state's removal is malformed (index "
          + index + ", " + count + " voters with " + in.remaining() + " bytes left)");
    }
    List<Integer> voters = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      voters.add(in.getInt());
    }
    return new Removal(index, voters);
  }

  /** The same durable state at another term and vote (repair, incarnations, removal kept). */
  TermAndVote withTermAndVote(long newTerm, int newVote) {
    return new TermAndVote(newTerm, newVote, repairThrough, noVoteThrough, incarnations,
        removal);
  }
}
