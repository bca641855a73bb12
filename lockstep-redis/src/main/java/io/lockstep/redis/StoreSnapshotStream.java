package io.lockstep.redis;

import io.lockstep.machine.SnapshotWriter;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * {@link StoreSnapshot}'s format written and read as a stream, so that a large keyspace is never
 * encoded whole in memory. The bytes are exactly those of {@link StoreSnapshot#encode}.
 *
 * <p>Capturing ({@link #capture}) runs on the replica's loop and only copies references to the
 * keys and their immutable entries; sorting, encoding and checksumming happen in the returned
 * writer, on whatever thread writes the snapshot, while the store goes on changing.
 */
final class StoreSnapshotStream {
  /** Largest key or value accepted when reading (Redis's own proto-max-bulk-len). */
  static final int MAX_ITEM_BYTES = 512 << 20;
  private static final int BUFFER = 64 * 1024;

  private StoreSnapshotStream() {}

  /** The store's state now, to be written later from any thread. */
  static SnapshotWriter capture(long lastTime, Keyspace keyspace, TreeSet<Long> armed) {
    Keyspace.Slot[] slots = keyspace.capture();
    long[] timers = armed.stream().mapToLong(Long::longValue).toArray();
    return out -> write(lastTime, slots, timers, out);
  }

  private static void write(long lastTime, Keyspace.Slot[] slots, long[] timers, OutputStream sink)
      throws IOException {
    // Key order makes equal states write equal bytes on every replica (S1).
    KeyOrder.sort(slots);
    Chunks out = new Chunks(sink);
    out.putInt(StoreSnapshot.MAGIC);
    out.put((byte) StoreSnapshot.VERSION);
    out.putLong(lastTime);
    out.putInt(slots.length);
    for (Keyspace.Slot slot : slots) {
      out.putInt(slot.key().length);
      out.put(slot.key());
      out.putInt(slot.entry().value().length);
      out.put(slot.entry().value());
      out.putLong(slot.entry().expireAt());
    }
    out.putInt(timers.length);
    for (long due : timers) {
      out.putLong(due);
    }
    out.finish();
  }

  /**
   * Big-endian fields written into one buffer, checksummed and handed to the sink a buffer at a
   * time. Why not DataOutputStream over a CheckedOutputStream: that updates the checksum byte
   * by byte for every length and expiry, through two layers of stream calls per byte, and it was
   * half of what a PBFT checkpoint (the whole store, every K sequence numbers, on the loop
   * thread) cost (docs/BENCHMARKS.md, "PBFT throughput on real processes"). The bytes are the
   * same.
   */
  private static final class Chunks {
    private final OutputStream sink;
    private final byte[] buffer = new byte[BUFFER];
    private final ByteBuffer fields = ByteBuffer.wrap(buffer); // big-endian, as DataOutput
    private final CRC32C crc = new CRC32C();
    private int used;

    Chunks(OutputStream sink) {
      this.sink = sink;
    }

    void put(byte b) throws IOException {
      room(1);
      buffer[used++] = b;
    }

    void putInt(int v) throws IOException {
      room(Integer.BYTES);
      fields.putInt(used, v);
      used += Integer.BYTES;
    }

    void putLong(long v) throws IOException {
      room(Long.BYTES);
      fields.putLong(used, v);
      used += Long.BYTES;
    }

    void put(byte[] bytes) throws IOException {
      if (bytes.length > buffer.length - used) {
        drain();
      }
      if (bytes.length >= buffer.length) {
        crc.update(bytes); // a large value goes straight through, not copied
        sink.write(bytes);
        return;
      }
      System.arraycopy(bytes, 0, buffer, used, bytes.length);
      used += bytes.length;
    }

    /** Writes what is buffered, then the checksum of everything before it. */
    void finish() throws IOException {
      drain();
      putInt((int) crc.getValue());
      sink.write(buffer, 0, used); // the checksum is not part of what it sums
      used = 0;
      sink.flush();
    }

    private void room(int bytes) throws IOException {
      if (buffer.length - used < bytes) {
        drain();
      }
    }

    private void drain() throws IOException {
      crc.update(buffer, 0, used);
      sink.write(buffer, 0, used);
      used = 0;
    }
  }

  /**
   * Reads a snapshot into {@code keyspace} (which must be empty) and {@code armed}, returning its
   * last time. Keys are put as they are read, so no second copy of the state is built; on a bad
   * snapshot the target holds what was read before the problem, and the caller must not use it.
   *
   * @throws IllegalArgumentException naming what is wrong with the content
   */
  static long read(InputStream raw, Keyspace keyspace, TreeSet<Long> armed) throws IOException {
    CRC32C crc = new CRC32C();
    DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
    try {
      if (in.readInt() != StoreSnapshot.MAGIC) {
        throw new IllegalArgumentException("not a store snapshot (bad magic)");
      }
      int version = in.readUnsignedByte();
      if (version != StoreSnapshot.VERSION) {
        throw new IllegalArgumentException("unsupported store snapshot version " + version);
      }
      long lastTime = in.readLong();
      readKeys(in, keyspace);
      readTimers(in, armed);
      int computed = (int) crc.getValue();
      if (new DataInputStream(raw).readInt() != computed) {
        throw new IllegalArgumentException("store snapshot checksum mismatch: it is corrupt");
      }
      if (raw.read() >= 0) {
        throw new IllegalArgumentException("store snapshot has unexpected trailing bytes");
      }
      return lastTime;
    } catch (EOFException e) {
      throw new IllegalArgumentException("store snapshot is truncated", e);
    }
  }

  private static void readKeys(DataInputStream in, Keyspace keyspace) throws IOException {
    int keys = count(in, "key");
    byte[] previous = null;
    for (int i = 0; i < keys; i++) {
      byte[] key = bytes(in);
      if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
        throw new IllegalArgumentException("store snapshot keys are not in strict order at " + i);
      }
      Keyspace.Entry entry = new Keyspace.Entry(bytes(in), in.readLong());
      if (entry.expireAt() < 0) {
        throw new IllegalArgumentException("negative expiry time in store snapshot at " + i);
      }
      keyspace.put(key, entry);
      previous = key;
    }
  }

  private static void readTimers(DataInputStream in, TreeSet<Long> armed) throws IOException {
    int timers = count(in, "timer");
    for (int i = 0; i < timers; i++) {
      long due = in.readLong();
      if (!armed.isEmpty() && armed.last() >= due) {
        throw new IllegalArgumentException("store snapshot timers are not ascending at " + i);
      }
      armed.add(due);
    }
  }

  private static int count(DataInputStream in, String what) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IllegalArgumentException("store snapshot " + what + " count " + n
          + " is negative");
    }
    return n;
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_ITEM_BYTES) {
      throw new IllegalArgumentException("store snapshot length " + length + " is out of range");
    }
    // readNBytes grows its buffer as bytes arrive, so a forged length allocates nothing big.
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new IllegalArgumentException("store snapshot is truncated");
    }
    return bytes;
  }
}
