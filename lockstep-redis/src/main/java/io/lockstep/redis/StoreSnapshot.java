package io.lockstep.redis;

import io.lockstep.codec.WireWriter;
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
 * and their digests agree (S1). {@link StoreSnapshotStream} reads it (for the byte-array form
 * too), checking every length, the ordering and the checksum, and refuses anything else with an
 * {@link IllegalArgumentException}.
 */
final class StoreSnapshot {
  static final int MAGIC = 0x4C524B56;
  static final int VERSION = 1;

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
}
