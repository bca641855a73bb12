package io.lockstep.order;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The executor's encoded state inside a {@link Snapshot}: a sequence of bytes that may live in
 * memory ({@link #of}) or in a file the runtime wrote (the storage module's implementation), so
 * that a large state never has to be held whole in memory to be stored, recovered or sent.
 *
 * <p>Protocol and executor code only read it; a runtime-backed implementation performs the
 * reads, which is the one place where a protocol step can cost a disk read (the pages it reads
 * were usually just written and are in the page cache).
 */
public interface SnapshotData {
  /** Largest snapshot whose bytes {@link #toByteArray} will return. */
  int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

  /** Number of bytes. */
  long size();

  /** A new stream over all the bytes, from the first; the caller closes it. */
  InputStream open() throws IOException;

  /**
   * Reads {@code length} bytes starting at {@code offset}.
   *
   * @throws IllegalArgumentException if the range is not inside the data
   * @throws UncheckedIOException if the backing store cannot be read
   */
  default byte[] read(long offset, int length) {
    checkRange(offset, length, size());
    try (InputStream in = open()) {
      in.skipNBytes(offset);
      return in.readNBytes(length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot bytes at " + offset, e);
    }
  }

  /**
   * All the bytes in one array: for small snapshots, tests and the simulator.
   *
   * @throws IllegalStateException if the data is larger than an array can hold
   * @throws UncheckedIOException if the backing store cannot be read
   */
  default byte[] toByteArray() {
    if (size() > MAX_ARRAY_BYTES) {
      throw new IllegalStateException("snapshot of " + size() + " bytes does not fit an array");
    }
    return read(0, (int) size());
  }

  /**
   * The CRC32C of all the bytes: what a follower checks a whole received snapshot against
   * before installing it. Computed by reading them; a file-backed implementation returns the
   * checksum it recorded when it wrote the file.
   *
   * @throws UncheckedIOException if the backing store cannot be read
   */
  default int crc32c() {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    try (InputStream in = open()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot bytes for their checksum", e);
    }
    return (int) crc.getValue();
  }

  /**
   * The SHA-256 of all the bytes: what a Byzantine protocol's checkpoint certifies. Computed by
   * reading them; data the runtime digested while it encoded it, off the replica's thread
   * ({@link #digested}), returns the digest it recorded, so the protocol's thread does not hash
   * the whole state again.
   *
   * @throws UncheckedIOException if the backing store cannot be read
   */
  default byte[] sha256() {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
    try (InputStream in = open()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot bytes for their digest", e);
    }
    return sha.digest();
  }

  /**
   * The protocol's signature over this checkpoint state, made off the replica's thread by the
   * {@link CheckpointSeal} the protocol handed out for its capture; null when none was (the
   * protocol signs itself).
   */
  default byte[] seal() {
    return null;
  }

  /**
   * Keeps these bytes readable until {@link Pin#release()}, even if the runtime deletes the file
   * they live in meanwhile. A leader or a snapshot source goes on sending one snapshot until
   * its transfer ends, while newer snapshots are taken and the storage's compaction deletes the
   * older files; without a pin a transfer that outlasts the gap between snapshots would have to
   * start again with the newest one, for ever. Data in memory needs nothing: its pin only
   * refers to it.
   *
   * @throws UncheckedIOException if the backing store cannot be opened
   */
  default Pin pin() {
    SnapshotData self = this;
    return new Pin() {
      @Override
      public SnapshotData data() {
        return self;
      }

      @Override
      public void release() {}
    };
  }

  /** A hold on a snapshot's bytes ({@link #pin()}); released exactly when no longer read. */
  interface Pin {
    /** The pinned bytes, readable until {@link #release()}. */
    SnapshotData data();

    /** Lets the runtime reclaim the bytes (a deleted file's space); idempotent. */
    void release();
  }

  /** Data held in memory (the array is copied). */
  static SnapshotData of(byte[] bytes) {
    return new InMemory(bytes.clone());
  }

  /**
   * Bytes in memory with their SHA-256, computed by whoever encoded them ({@link #sha256()}).
   * Neither array is copied: the encoder hands them over and no one changes them afterwards, so
   * a state of many megabytes is not copied again on the replica's thread.
   */
  static SnapshotData digested(byte[] bytes, byte[] sha256) {
    return new DigestedData(new Handed(bytes), sha256, null);
  }

  /** The same with the protocol's signature over the checkpoint ({@link #seal()}). */
  static SnapshotData digested(byte[] bytes, byte[] sha256, byte[] seal) {
    return new DigestedData(new Handed(bytes), sha256, Objects.requireNonNull(seal, "seal"));
  }

  /**
   * {@code data} (e.g. a state file the runtime wrote) with the SHA-256 and the protocol's
   * signature ({@code seal}, null if none) that the runtime computed while writing it, so that
   * the protocol's thread neither reads nor hashes the whole state to learn them.
   */
  static SnapshotData digested(SnapshotData data, byte[] sha256, byte[] seal) {
    return new DigestedData(data, sha256, seal);
  }

  /**
   * Data held in memory as consecutive pieces (e.g. the chunks of a received snapshot), never
   * joined into one array; the list and the arrays are taken as they are, not copied.
   */
  static SnapshotData ofPieces(List<byte[]> pieces) {
    return new Pieces(List.copyOf(pieces));
  }

  /** Checks that {@code [offset, offset + length)} lies inside data of {@code size} bytes. */
  static void checkRange(long offset, int length, long size) {
    if (offset < 0 || length < 0 || offset > size - length) {
      throw new IllegalArgumentException("range [" + offset + ", +" + length
          + ") is outside snapshot data of " + size + " bytes");
    }
  }

  /** Consecutive pieces in memory. */
  final class Pieces implements SnapshotData {
    private final List<byte[]> pieces;
    private final long size;

    private Pieces(List<byte[]> pieces) {
      this.pieces = pieces;
      this.size = pieces.stream().mapToLong(p -> p.length).sum();
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public InputStream open() {
      return new SequenceInputStream(Collections.enumeration(
          pieces.stream().map(ByteArrayInputStream::new).toList()));
    }

    @Override
    public String toString() {
      return "SnapshotData[" + size + " bytes in " + pieces.size() + " pieces in memory]";
    }
  }

  /**
   * Bytes in memory handed over by their encoder, not copied: no one changes them afterwards,
   * so {@link #toByteArray} returns the array itself and a state of many megabytes is not
   * copied again on the replica's thread.
   */
  final class Handed implements SnapshotData {
    private final byte[] bytes;

    private Handed(byte[] bytes) {
      this.bytes = Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public byte[] read(long offset, int length) {
      checkRange(offset, length, bytes.length);
      return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }

    @Override
    public byte[] toByteArray() {
      return bytes;
    }

    @Override
    public String toString() {
      return "SnapshotData[" + bytes.length + " bytes in memory]";
    }
  }

  /**
   * Data with the SHA-256 (and seal) its writer computed ({@link #digested}): in memory, or a
   * state file the runtime wrote; everything else is the data's own.
   */
  final class DigestedData implements SnapshotData {
    private final SnapshotData data;
    private final byte[] sha256;
    private final byte[] seal;

    private DigestedData(SnapshotData data, byte[] sha256, byte[] seal) {
      this.data = Objects.requireNonNull(data, "data");
      this.sha256 = Objects.requireNonNull(sha256, "sha256").clone();
      this.seal = seal == null ? null : seal.clone();
      if (sha256.length != 32) {
        throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + sha256.length);
      }
    }

    @Override
    public long size() {
      return data.size();
    }

    @Override
    public InputStream open() throws IOException {
      return data.open();
    }

    @Override
    public byte[] read(long offset, int length) {
      return data.read(offset, length);
    }

    @Override
    public byte[] toByteArray() {
      return data.toByteArray();
    }

    @Override
    public int crc32c() {
      return data.crc32c();
    }

    @Override
    public byte[] sha256() {
      return sha256.clone();
    }

    @Override
    public byte[] seal() {
      return seal == null ? null : seal.clone();
    }

    /** The pinned data keeps its digest and seal. */
    @Override
    public Pin pin() {
      Pin inner = data.pin();
      DigestedData pinned = new DigestedData(inner.data(), sha256, seal);
      return new Pin() {
        @Override
        public SnapshotData data() {
          return pinned;
        }

        @Override
        public void release() {
          inner.release();
        }
      };
    }

    /** The underlying data (for the storage, which records a state file it wrote by name). */
    public SnapshotData unwrapped() {
      return data;
    }

    @Override
    public String toString() {
      return data + ", digested";
    }
  }

  /** Bytes in memory; equal when their content is. */
  final class InMemory implements SnapshotData {
    private final byte[] bytes;

    private InMemory(byte[] bytes) {
      this.bytes = Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public byte[] read(long offset, int length) {
      checkRange(offset, length, bytes.length);
      return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof InMemory m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "SnapshotData[" + bytes.length + " bytes in memory]";
    }
  }
}
