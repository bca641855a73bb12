package io.lockstep.order;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a protocol puts a snapshot it receives from a peer in chunks (Raft's InstallSnapshot,
 * §5.3), handed in by the runtime through {@link ProtocolSetup}. The real runtime writes each
 * chunk to a file in the replica's data directory as it arrives, so a follower catching up holds
 * neither the chunks nor the whole state on its heap: only the state machine's own restored
 * state. Without this seam the chunks stayed in memory until the follower's next own snapshot,
 * which made a catching-up follower need about twice the state's heap.
 *
 * <p>Like {@link SnapshotData}, this is the runtime's object that a protocol step may call; the
 * protocol stays deterministic because what it decides never depends on how or where the bytes
 * are kept. Chunks arrive in order and are appended; an I/O error is thrown as an unchecked
 * exception, and a runtime treats it as any failed disk write (the replica stops).
 */
public interface SnapshotReceiver {
  /**
   * Starts receiving the snapshot at {@code index} (term {@code term}) of {@code size} bytes.
   * The protocol abandons a snapshot it no longer wants before it begins another.
   */
  Incoming begin(long index, long term, long size);

  /** One snapshot being received. */
  interface Incoming {
    /**
     * Appends the next bytes. The receiver does not keep the array (a file-backed one has
     * written it by the time this returns; the in-memory one keeps it).
     */
    void append(byte[] chunk);

    /** Number of bytes appended so far. */
    long received();

    /**
     * The CRC32C of the bytes appended so far: checked against the whole snapshot's checksum
     * before {@link #complete()}, so a damaged snapshot is abandoned, never installed.
     */
    int crc32c();

    /**
     * All bytes were appended: the snapshot's state, to install into the executor and to store
     * with {@link StorageWrite.SaveSnapshot}. A file-backed receiver forces the file first, so
     * the save only records it.
     *
     * @throws IllegalStateException if fewer bytes than the announced size were appended
     */
    SnapshotData complete();

    /** Drops what was received (a newer snapshot replaced it, or the log caught up). */
    void abandon();
  }

  /**
   * Keeps received chunks in memory, as consecutive pieces: for the simulator and tests, whose
   * states are small, and for runtimes without a data directory.
   */
  static SnapshotReceiver inMemory() {
    return (index, term, size) -> new Incoming() {
      private final List<byte[]> pieces = new ArrayList<>();
      private long received;

      @Override
      public void append(byte[] chunk) {
        pieces.add(chunk);
        received += chunk.length;
      }

      @Override
      public long received() {
        return received;
      }

      @Override
      public int crc32c() {
        return SnapshotData.ofPieces(pieces).crc32c();
      }

      @Override
      public SnapshotData complete() {
        if (received != size) {
          throw new IllegalStateException("snapshot at " + index + " has " + received + " of "
              + size + " bytes");
        }
        return SnapshotData.ofPieces(pieces);
      }

      @Override
      public void abandon() {
        pieces.clear();
      }
    };
  }
}
