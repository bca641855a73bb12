package io.lockstep.order.stamped;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedMessage.Kind;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;

/**
 * Binary form of {@link StampedMessage}s on the peer port. Hand-written for the same reasons as
 * the Raft codec (no generation step; the records stay the single source; lengths bounded before
 * allocation by the storage codec's {@link BinaryReader}, which also encodes requests). Layout,
 * big-endian:
 *
 * <pre>
 * u8 version, u8 type (1 Broadcast),
 * i32 origin, i64 seq, i64 uidTime, i64 wallClock, u8 n, i64 × n acks, i64 suspects,
 * u8 kind (0 null, 1 request, 2 barrier), [request if kind = 1]
 * </pre>
 *
 * <p>Decoding is strict: an unknown version, type or kind, truncation, trailing bytes and values
 * the records refuse are a {@link CodecException} naming the field; the runtime drops the
 * message and counts it.
 */
public final class StampedCodec implements ProtocolCodec {
  /** Payload format version. */
  static final int VERSION = 1;

  private static final int BROADCAST = 1;

  /** The codec; it holds no state. */
  public static final StampedCodec INSTANCE = new StampedCodec();

  private StampedCodec() {}

  @Override
  public byte[] encode(ProtocolMessage message) {
    if (!(message instanceof Broadcast b)) {
      throw new IllegalArgumentException("not a stamped-order message: "
          + (message == null ? "null" : message.getClass().getName()));
    }
    BinaryWriter out = new BinaryWriter(128);
    out.writeByte(VERSION).writeByte(BROADCAST).writeInt(b.origin()).writeLong(b.seq())
        .writeLong(b.uidTime()).writeLong(b.wallClock());
    long[] acks = b.acks();
    out.writeByte(acks.length);
    for (long ack : acks) {
      out.writeLong(ack);
    }
    out.writeLong(b.suspects()).writeByte(b.kind().ordinal());
    if (b.request() != null) {
      out.writeRequest(b.request());
    }
    return out.toByteArray();
  }

  @Override
  public StampedMessage decode(byte[] payload) {
    if (payload == null || payload.length < 2) {
      throw new CodecException("peer message: too short for a header");
    }
    if ((payload[0] & 0xFF) != VERSION) {
      throw new CodecException("peer message: unsupported wire version " + (payload[0] & 0xFF)
          + "; this build speaks version " + VERSION);
    }
    BinaryReader in = new BinaryReader(payload, 1, payload.length - 1, Codec.VERSION);
    int type = in.readByte("type");
    if (type != BROADCAST) {
      throw new CodecException("type: unknown message type " + type);
    }
    int origin = in.readInt("origin");
    long seq = in.readLong("seq");
    long uidTime = in.readLong("uidTime");
    long wallClock = in.readLong("wallClock");
    int n = in.readByte("acks.length");
    if (n > StampedConfig.MAX_MEMBERS) {
      throw new CodecException("acks.length: " + n + " members, at most "
          + StampedConfig.MAX_MEMBERS);
    }
    long[] acks = new long[n];
    for (int i = 0; i < n; i++) {
      acks[i] = in.readLong("acks[" + i + "]");
    }
    long suspects = in.readLong("suspects");
    int kindCode = in.readByte("kind");
    if (kindCode >= Kind.values().length) {
      throw new CodecException("kind: unknown kind " + kindCode);
    }
    Kind kind = Kind.values()[kindCode];
    Request request = kind == Kind.REQUEST ? in.readRequest("request") : null;
    in.expectEnd("broadcast");
    try {
      return new Broadcast(origin, seq, uidTime, wallClock, acks, suspects, kind, request);
    } catch (IllegalArgumentException e) {
      throw new CodecException("broadcast: " + e.getMessage(), e);
    }
  }
}
