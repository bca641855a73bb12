package io.lockstep.order.cuid;

import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.agreement.CarriedRequests;
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
 * i64 wallClock, u8 kind (0 null, 1 request, 2 barrier, 3 candidate, 4 final, 5 admit),
 * [request if kind = 1], [i32 requestOrigin, i64 requestSeq, i64 counter if kind = 3 or 4],
 * [i32 winner if kind = 4], [i32 joiner if kind = 5]
 *
 * u8 version, u8 type (2 Candidate), i32 origin, i32 requestOrigin, i64 requestSeq,
 * i64 counter
 *
 * u8 version, u8 type (3 RoundMessage, Byzantine), i64 instance, i32 transmitter,
 * bytes value (u32 length), u8 n, n × (i32 signer, bytes signature (u32 length))
 *
 * u8 version, u8 type (4 JoinRequest), i32 joiner
 *
 * u8 version, u8 type (5 JoinState), i32 joiner, i64 snapshotIndex, bytes snapshot (u32
 * length), i64 position, i64 time, u8 n, i64 × n receivedThrough, i64 failed, i64
 * counterFloor, i64 acceptMax, i32 count, count × (i32 member, u8 n, i64 × n boundary),
 * i32 count, Carry × count latest (from origin on, as above), i32 count, Carry × count pending
 * </pre>
 *
 * <p>Kind 4 and type 2 (the ABCAST variant), and kind 5 and types 4 and 5 (rejoining) were added without a version change: the layouts of
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
  private static final int JOIN_REQUEST = 4;
  private static final int JOIN_STATE = 5;
  /** The largest snapshot a join state may carry, as for the stamped schemes. */
  static final int MAX_SNAPSHOT_BYTES = 64 << 20;

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
    if (message instanceof CuidMessage.JoinRequest j) {
      return new BinaryWriter(8).writeByte(VERSION).writeByte(JOIN_REQUEST).writeInt(j.joiner())
          .toByteArray();
    }
    if (message instanceof CuidMessage.JoinState j) {
      BinaryWriter out = new BinaryWriter(256 + j.snapshot().length);
      writeJoinState(out.writeByte(VERSION).writeByte(JOIN_STATE), j);
      return out.toByteArray();
    }
    if (!(message instanceof Carry c)) {
      throw new IllegalArgumentException("not a replica-uid message: "
          + (message == null ? "null" : message.getClass().getName()));
    }
    BinaryWriter out = new BinaryWriter(128);
    writeCarry(out.writeByte(VERSION).writeByte(CARRY), c);
    return out.toByteArray();
  }

  /**
   * The client signatures inside a round message's batch, checked once it is decided. Only a
   * batch of the signed version is decoded here (its first byte), so unsigned traffic costs the
   * I/O thread nothing.
   */
  @Override
  public List<SignatureClaim> signaturesCheckedLater(int from, ProtocolMessage message) {
    return CarriedRequests.claimsIn(message, value -> value.length > 0
        && value[0] == Batch.SIGNED_VERSION ? Batch.decode(value).carried() : null);
  }

  private static void writeJoinState(BinaryWriter out, CuidMessage.JoinState j) {
    out.writeInt(j.joiner()).writeLong(j.snapshotIndex()).writeBytes(j.snapshot())
        .writeLong(j.position()).writeLong(j.time());
    writeLongs(out, j.receivedThrough());
    out.writeLong(j.failed()).writeLong(j.counterFloor()).writeLong(j.acceptMax());
    out.writeInt(j.boundaries().size());
    for (var b : new java.util.TreeMap<>(j.boundaries()).entrySet()) {
      writeLongs(out.writeInt(b.getKey()), b.getValue());
    }
    for (List<Carry> list : List.of(j.latest(), j.pending())) {
      out.writeInt(list.size());
      for (Carry c : list) {
        writeCarry(out, c);
      }
    }
  }

  private static void writeLongs(BinaryWriter out, long[] values) {
    out.writeByte(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  private static void writeCarry(BinaryWriter out, Carry c) {
    out.writeInt(c.origin()).writeLong(c.seq());
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
    if (c.kind() == Kind.ADMIT) {
      out.writeInt(c.requestOrigin());
    }
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
    if (type == JOIN_REQUEST) {
      int joiner = in.readInt("joiner");
      in.expectEnd("join request");
      return new CuidMessage.JoinRequest(joiner);
    }
    if (type == JOIN_STATE) {
      CuidMessage.JoinState state = readJoinState(in);
      in.expectEnd("join state");
      return state;
    }
    if (type != CARRY) {
      throw new CodecException("type: unknown message type");
    }
    Carry carry = readCarry(in);
    in.expectEnd("carry");
    return carry;
  }

  private static CuidMessage.JoinState readJoinState(BinaryReader in) {
    int joiner = in.readInt("joiner");
    long snapshotIndex = in.readLong("snapshotIndex");
    byte[] snapshot = in.readBytes("snapshot", MAX_SNAPSHOT_BYTES);
    long position = in.readLong("position");
    long time = in.readLong("time");
    long[] received = readAcks(in);
    long failed = in.readLong("failed");
    long floor = in.readLong("counterFloor");
    long accept = in.readLong("acceptMax");
    int count = count(in, "boundaries");
    java.util.Map<Integer, long[]> boundaries = new java.util.HashMap<>();
    for (int i = 0; i < count; i++) {
      int member = in.readInt("boundaries.member");
      if (boundaries.put(member, readAcks(in)) != null) {
        throw new CodecException("boundaries: member " + member + " twice");
      }
    }
    List<Carry> latest = readCarries(in, "latest");
    List<Carry> pending = readCarries(in, "pending");
    return new CuidMessage.JoinState(joiner, snapshotIndex, snapshot, position, time, received,
        failed, floor, accept, boundaries, latest, pending);
  }

  private static int count(BinaryReader in, String field) {
    int count = in.readInt(field + ".count");
    if (count < 0 || count > in.remaining()) {
      throw new CodecException(field + ".count: " + count + " entries cannot fit in "
          + in.remaining() + " bytes");
    }
    return count;
  }

  private static List<Carry> readCarries(BinaryReader in, String field) {
    int count = count(in, field);
    List<Carry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(readCarry(in));
    }
    return out;
  }

  private static Carry readCarry(BinaryReader in) {
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
    if (kind == Kind.ADMIT) {
      requestOrigin = in.readInt("joiner");
    }
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
