package io.lockstep.order.cuid;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of {@link CuidMessage}s on the peer port (hand-written, like the other protocols'
 * codecs). Layout, big-endian:
 *
 * <pre>
 * u8 version, u8 type (1 Carry), i32 origin, i64 seq, u8 n, i64 × n acks, i64 suspects,
 * i64 wallClock, u8 kind (0 null, 1 request, 2 barrier, 3 candidate, 4 final),
 * [request if kind = 1], [i32 requestOrigin, i64 requestSeq, i64 counter if kind = 3 or 4],
 * [i32 winner if kind = 4]
 *
 * u8 version, u8 type (2 Candidate), i32 origin, i32 requestOrigin, i64 requestSeq,
 * i64 counter
 *
 * u8 version, u8 type (3 RoundMessage, Byzantine), i64 instance, i32 transmitter,
 * bytes value (u32 length), u8 n, n × (i32 signer, bytes signature (u32 length))
 * </pre>
 *
 * <p>Kind 4 and type 2 (the ABCAST variant) were added without a version change: the layouts of
 * everything else are unchanged, and a replica that does not know them refuses them as unknown.
 *
 * <p>Strict: unknown version, type or kind, truncation, trailing bytes and values the record
 * refuses are a {@link CodecException}.
 */
public final class CuidCodec implements ProtocolCodec {
  static final int VERSION = 1;
  private static final int CARRY = 1;
  private static final int CANDIDATE = 2;
  private static final int ROUND = 3;

  /** The codec; it holds no state. */
  public static final CuidCodec INSTANCE = new CuidCodec();

  private CuidCodec() {}

  @Override
  public byte[] encode(ProtocolMessage message) {
    if (message instanceof RoundMessage r) {
      return encodeRound(r);
    }
    if (message instanceof CuidMessage.Candidate c) {
      return new BinaryWriter(32).writeByte(VERSION).writeByte(CANDIDATE).writeInt(c.origin())
          .writeInt(c.requestOrigin()).writeLong(c.requestSeq()).writeLong(c.counter())
          .toByteArray();
    }
    if (!(message instanceof Carry c)) {
      throw new IllegalArgumentException("not a replica-uid message: "
          + (message == null ? "null" : message.getClass().getName()));
    }
    BinaryWriter out = new BinaryWriter(128);
    out.writeByte(VERSION).writeByte(CARRY).writeInt(c.origin()).writeLong(c.seq());
    long[] acks = c.acks();
    out.writeByte(acks.length);
    for (long ack : acks) {
      out.writeLong(ack);
    }
    out.writeLong(c.suspects()).writeLong(c.wallClock()).writeByte(c.kind().ordinal());
    if (c.kind() == Kind.REQUEST) {
      out.writeRequest(c.request());
    } else if (c.kind() == Kind.CANDIDATE || c.kind() == Kind.FINAL) {
      out.writeInt(c.requestOrigin()).writeLong(c.requestSeq()).writeLong(c.counter());
    }
    if (c.kind() == Kind.FINAL) {
      out.writeInt(c.winner());
    }
    return out.toByteArray();
  }

  private static byte[] encodeRound(RoundMessage message) {
    BinaryWriter out = new BinaryWriter(64 + message.chain().value().length);
    message.writeTo(out.writeByte(VERSION).writeByte(ROUND));
    return out.toByteArray();
  }

  private static long[] readAcks(BinaryReader in) {
    int n = in.readByte("acks.length");
    if (n > StampedConfig.MAX_MEMBERS) {
      throw new CodecException("acks.length: " + n + " members, at most "
          + StampedConfig.MAX_MEMBERS);
    }
    long[] acks = new long[n];
    for (int i = 0; i < n; i++) {
      acks[i] = in.readLong("acks[" + i + "]");
    }
    return acks;
  }

  @Override
  public ProtocolMessage decode(byte[] payload) {
    if (payload == null || payload.length < 2 || (payload[0] & 0xFF) != VERSION) {
      throw new CodecException("peer message: missing header or unsupported wire version");
    }
    BinaryReader in = new BinaryReader(payload, 1, payload.length - 1, Codec.VERSION);
    int type = in.readByte("type");
    if (type == CANDIDATE) {
      return candidate(in);
    }
    if (type == ROUND) {
      return RoundMessage.readFrom(in);
    }
    if (type != CARRY) {
      throw new CodecException("type: unknown message type");
    }
    int origin = in.readInt("origin");
    long seq = in.readLong("seq");
    long[] acks = readAcks(in);
    long suspects = in.readLong("suspects");
    long wallClock = in.readLong("wallClock");
    int kindCode = in.readByte("kind");
    if (kindCode >= Kind.values().length) {
      throw new CodecException("kind: unknown kind " + kindCode);
    }
    Kind kind = Kind.values()[kindCode];
    Request request = kind == Kind.REQUEST ? in.readRequest("request") : null;
    int requestOrigin = -1;
    long requestSeq = 0;
    long counter = 0;
    if (kind == Kind.CANDIDATE || kind == Kind.FINAL) {
      requestOrigin = in.readInt("requestOrigin");
      requestSeq = in.readLong("requestSeq");
      counter = in.readLong("counter");
    }
    int winner = kind == Kind.FINAL ? in.readInt("winner") : -1;
    in.expectEnd("carry");
    try {
      return new Carry(origin, seq, acks, suspects, wallClock, kind, requestOrigin, requestSeq,
          counter, request, winner);
    } catch (IllegalArgumentException e) {
      throw new CodecException("carry: " + e.getMessage(), e);
    }
  }

  private static CuidMessage.Candidate candidate(BinaryReader in) {
    int origin = in.readInt("origin");
    int requestOrigin = in.readInt("requestOrigin");
    long requestSeq = in.readLong("requestSeq");
    long counter = in.readLong("counter");
    in.expectEnd("candidate");
    try {
      return new CuidMessage.Candidate(origin, requestOrigin, requestSeq, counter);
    } catch (IllegalArgumentException e) {
      throw new CodecException("candidate: " + e.getMessage(), e);
    }
  }
}
