package io.lockstep.redis;

import io.lockstep.codec.WireWriter;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * {@link RedisStore}'s versioned, checksummed snapshot format. Layout, big-endian:
 *
 * <pre>
 * u32 magic "LRKV", u8 version (1), i64 lastTime
 * u32 keys × { u32 length, key, u32 length, value, i64 expireAt (0 = never) }   in key order
 * u32 armed × { i64 due }                                                      ascending
 * u32 CRC32C of every byte before it
 * </pre>
 *
 * <p>Keys are written in unsigned byte order, so two replicas with equal state write equal bytes
 * and their digests agree (S1). Decoding checks the checksum first, then every length and the
 * ordering, and refuses anything else with an {@link IllegalArgumentException}.
 */
final class StoreSnapshot {
  static final int MAGIC = 0x4C524B56;
  static final int VERSION = 1;
  private static final int HEADER = 4 + 1 + 8;
  private static final int CRC = 4;

  /** Everything a snapshot holds. */
  record Image(long lastTime, Map<byte[], Keyspace.Entry> entries, TreeSet<Long> armed) {}

  private StoreSnapshot() {}

  static byte[] encode(long lastTime, Keyspace keyspace, TreeSet<Long> armed) {
    WireWriter out = new WireWriter();
    out.writeInt(MAGIC);
    out.writeByte(VERSION);
    out.writeLong(lastTime);
    out.writeInt(keyspace.size());
    keyspace.entries().forEach((key, entry) -> {
      out.writeBytes(key);
      out.writeBytes(entry.value());
      out.writeLong(entry.expireAt());
    });
    out.writeInt(armed.size());
    armed.forEach(out::writeLong);
    CRC32C crc = new CRC32C();
    crc.update(out.toByteArray());
    out.writeInt((int) crc.getValue());
    return out.toByteArray();
  }

  static Image decode(byte[] snapshot) {
    if (snapshot == null || snapshot.length < HEADER + CRC) {
      throw new IllegalArgumentException("store snapshot is too short to be one");
    }
    int bodyLength = snapshot.length - CRC;
    CRC32C crc = new CRC32C();
    crc.update(snapshot, 0, bodyLength);
    ByteBuffer in = ByteBuffer.wrap(snapshot, 0, bodyLength);
    if (ByteBuffer.wrap(snapshot, bodyLength, CRC).getInt() != (int) crc.getValue()) {
      throw new IllegalArgumentException("store snapshot checksum mismatch: it is corrupt");
    }
    try {
      return body(in);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("store snapshot is truncated", e);
    }
  }

  private static Image body(ByteBuffer in) {
    if (in.getInt() != MAGIC) {
      throw new IllegalArgumentException("not a store snapshot (bad magic)");
    }
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported store snapshot version " + version);
    }
    long lastTime = in.getLong();
    Map<byte[], Keyspace.Entry> entries = new TreeMap<>(Arrays::compareUnsigned);
    int keys = count(in, 16);
    byte[] previous = null;
    for (int i = 0; i < keys; i++) {
      byte[] key = bytes(in);
      if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
        throw new IllegalArgumentException("store snapshot keys are not in strict order at " + i);
      }
      Keyspace.Entry entry = new Keyspace.Entry(bytes(in), in.getLong());
      if (entry.expireAt() < 0) {
        throw new IllegalArgumentException("negative expiry time in store snapshot at " + i);
      }
      entries.put(key, entry);
      previous = key;
    }
    TreeSet<Long> armed = new TreeSet<>();
    int timers = count(in, 8);
    for (int i = 0; i < timers; i++) {
      long due = in.getLong();
      if (!armed.isEmpty() && armed.last() >= due) {
        throw new IllegalArgumentException("store snapshot timers are not ascending at " + i);
      }
      armed.add(due);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "store snapshot has " + in.remaining() + " unexpected trailing bytes");
    }
    return new Image(lastTime, entries, armed);
  }

  private static int count(ByteBuffer in, int minItemBytes) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() / minItemBytes) {
      throw new IllegalArgumentException("store snapshot count " + n + " exceeds its size");
    }
    return n;
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("store snapshot length " + length + " exceeds its size");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }
}
