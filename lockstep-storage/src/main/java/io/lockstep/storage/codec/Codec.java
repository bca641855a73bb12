package io.lockstep.storage.codec;

/**
 * The binary format shared by stable storage and the network layer (a versioned binary format,
 * never Java serialization).
 *
 * <p>All integers are big-endian. A container (a log segment, a snapshot file, a network frame)
 * records {@link #VERSION} once in its header and hands it to {@link BinaryReader}, so values
 * themselves carry no per-value version byte. The layouts, written by {@link BinaryWriter}:
 *
 * <pre>
 * string     u16 length, UTF-8 bytes
 * bytes      u32 length, bytes
 * ClientId   string (1..{@value io.lockstep.machine.ClientId#MAX_LENGTH} chars)
 * Request    ClientId client, i64 sequence, u8 kind (0 COMMAND, 1 NULL), bytes command,
 *            u8 hasCopyFrom, [ClientId copyFrom]
 * LogEntry   i64 index, i64 term, i64 time, u8 hasRequest, [Request]
 * HardState  bytes state (the protocol's own encoding; before it was opaque: i64 term,
 *            i32 votedFor, which storage still reads as those 12 bytes)
 * Snapshot   i64 index, i64 term, i64 time, u32 memberCount, i32 member..., bytes state
 * </pre>
 *
 * <p>Why hand-written rather than protobuf: the types are few and fixed, the codec must bound
 * every length before allocating (untrusted input) and it adds no dependency to the library
 * core; checksums live in the containers.
 */
public final class Codec {
  /** The format version this build writes and reads. */
  public static final int VERSION = 1;

  /** Largest UTF-8 encoding of a {@link io.lockstep.machine.ClientId}: 4 bytes per char. */
  public static final int MAX_CLIENT_ID_BYTES = io.lockstep.machine.ClientId.MAX_LENGTH * 4;

  /** Largest replica configuration accepted in a snapshot. */
  public static final int MAX_MEMBERS = 1024;

  private Codec() {}

  /** Throws unless {@code version} is one this build reads. */
  public static void checkVersion(int version) {
    if (version != VERSION) {
      throw new CodecException(
          "unsupported format version " + version + "; this build reads version " + VERSION);
    }
  }
}
