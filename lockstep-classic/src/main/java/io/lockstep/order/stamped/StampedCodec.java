package io.lockstep.order.stamped;

import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedMessage.JoinRequest;
import io.lockstep.order.stamped.StampedMessage.JoinState;
import io.lockstep.order.stamped.StampedMessage.Kind;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Binary form of {@link StampedMessage}s on the peer port. Hand-written for the same reasons as
 * the Raft codec (no generation step; the records stay the single source; lengths bounded before
 * allocation by the storage codec's {@link BinaryReader}, which also encodes requests). Layout,
 * big-endian:
 *
 * <pre>
 * u8 version, u8 type, then by type:
 * 1 Broadcast:   i32 origin, i64 seq, i64 uidTime, i64 wallClock, u8 n, i64 × n acks,
 *                i64 suspects, u8 kind (0 null, 1 request, 2 barrier, 3 join),
 *                [request if kind = 1], [i32 joiner if kind = 3]
 * 2 JoinRequest: i32 joiner
 * 3 JoinState:   i32 joiner, i64 snapshotIndex, bytes snapshot, i64 position, i64 time,
 *                i64 uid time, i32 uid process, i64 clock, u8 n, i64 × n receivedThrough,
 *                i64 failed, i32 count, Broadcast × count latest (from origin on, as above),
 *                i32 count, Broadcast × count pending
 * 4 RoundMessage (Byzantine real-time order): the signed chain, as
 *                {@link io.lockstep.order.agreement.RoundMessage} writes it
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
  private static final int JOIN_REQUEST = 2;
  private static final int JOIN_STATE = 3;
  private static final int ROUND = 4;
  /** Largest executor snapshot a join state may carry (it travels as one peer message). */
  static final int MAX_SNAPSHOT_BYTES = 64 << 20;

  /** The codec of the orders whose round messages carry no client signatures. */
  public static final StampedCodec INSTANCE = new StampedCodec(null);

  /** Reads a round message's value as its order's batch; null: no client signatures. */
  private final Function<byte[], CarriedRequests> roundRequests;

  private StampedCodec(Function<byte[], CarriedRequests> roundRequests) {
    this.roundRequests = roundRequests;
  }

  /**
   * The same wire form, for an order whose round messages carry requests its clients may sign:
   * {@code roundRequests} reads a round message's value as that order's batch (the stamped
   * package does not know the Byzantine orders' batches), so the runtime can pre-verify the
   * clients' signatures ({@link #signaturesCheckedLater}).
   */
  public static StampedCodec carrying(Function<byte[], CarriedRequests> roundRequests) {
    return new StampedCodec(java.util.Objects.requireNonNull(roundRequests, "roundRequests"));
  }

  /** The client signatures inside a round message's batch, checked once it is decided. */
  @Override
  public List<SignatureClaim> signaturesCheckedLater(int from, ProtocolMessage message) {
    return roundRequests == null ? List.of() : CarriedRequests.claimsIn(message, roundRequests);
  }

  @Override
  public byte[] encode(ProtocolMessage message) {
    BinaryWriter out = new BinaryWriter(128);
    out.writeByte(VERSION);
    if (message instanceof Broadcast b) {
      writeBroadcast(out.writeByte(BROADCAST), b);
    } else if (message instanceof JoinRequest j) {
      out.writeByte(JOIN_REQUEST).writeInt(j.joiner());
    } else if (message instanceof JoinState j) {
      writeJoinState(out.writeByte(JOIN_STATE), j);
    } else if (message instanceof RoundMessage r) {
      r.writeTo(out.writeByte(ROUND));
    } else {
      throw new IllegalArgumentException("not a stamped-order message: "
          + (message == null ? "null" : message.getClass().getName()));
    }
    return out.toByteArray();
  }

  private static void writeBroadcast(BinaryWriter out, Broadcast b) {
    out.writeInt(b.origin()).writeLong(b.seq()).writeLong(b.uidTime()).writeLong(b.wallClock());
    writeLongs(out, b.acks());
    out.writeLong(b.suspects()).writeByte(b.kind().ordinal());
    if (b.request() != null) {
      out.writeRequest(b.request());
    }
    if (b.kind() == Kind.JOIN) {
      out.writeInt(b.joiner());
    }
  }

  private static void writeJoinState(BinaryWriter out, JoinState j) {
    out.writeInt(j.joiner()).writeLong(j.snapshotIndex()).writeBytes(j.snapshot())
        .writeLong(j.position()).writeLong(j.time()).writeLong(j.processedThrough().time())
        .writeInt(j.processedThrough().process()).writeLong(j.clock());
    writeLongs(out, j.receivedThrough());
    out.writeLong(j.failed());
    for (List<Broadcast> list : List.of(j.latest(), j.pending())) {
      out.writeInt(list.size());
      for (Broadcast b : list) {
        writeBroadcast(out, b);
      }
    }
  }

  private static void writeLongs(BinaryWriter out, long[] values) {
    out.writeByte(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  @Override
  public ProtocolMessage decode(byte[] payload) {
    if (payload == null || payload.length < 2) {
      throw new CodecException("peer message: too short for a header");
    }
    if ((payload[0] & 0xFF) != VERSION) {
      throw new CodecException("peer message: unsupported wire version " + (payload[0] & 0xFF)
          + "; this build speaks version " + VERSION);
    }
    BinaryReader in = new BinaryReader(payload, 1, payload.length - 1, Codec.VERSION);
    int type = in.readByte("type");
    if (type == ROUND) {
      return RoundMessage.readFrom(in);
    }
    try {
      StampedMessage m = switch (type) {
        case BROADCAST -> readBroadcast(in);
        case JOIN_REQUEST -> new JoinRequest(in.readInt("joiner"));
        case JOIN_STATE -> readJoinState(in);
        default -> throw new CodecException("type: unknown message type " + type);
      };
      in.expectEnd("stamped message");
      return m;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("stamped message: " + e.getMessage(), e);
    }
  }

  private static Broadcast readBroadcast(BinaryReader in) {
    int origin = in.readInt("origin");
    long seq = in.readLong("seq");
    long uidTime = in.readLong("uidTime");
    long wallClock = in.readLong("wallClock");
    long[] acks = readLongs(in, "acks");
    long suspects = in.readLong("suspects");
    int kindCode = in.readByte("kind");
    if (kindCode >= Kind.values().length) {
      throw new CodecException("kind: unknown kind " + kindCode);
    }
    Kind kind = Kind.values()[kindCode];
    Request request = kind == Kind.REQUEST ? in.readRequest("request") : null;
    int joiner = kind == Kind.JOIN ? in.readInt("joiner") : StampedMessage.NO_JOINER;
    return new Broadcast(origin, seq, uidTime, wallClock, acks, suspects, kind, request, joiner);
  }

  private static JoinState readJoinState(BinaryReader in) {
    int joiner = in.readInt("joiner");
    long snapshotIndex = in.readLong("snapshotIndex");
    byte[] snapshot = in.readBytes("snapshot", MAX_SNAPSHOT_BYTES);
    long position = in.readLong("position");
    long time = in.readLong("time");
    Uid through = new Uid(in.readLong("uid time"), in.readInt("uid process"));
    long clock = in.readLong("clock");
    long[] received = readLongs(in, "receivedThrough");
    long failed = in.readLong("failed");
    List<Broadcast> latest = readBroadcasts(in, "latest");
    List<Broadcast> pending = readBroadcasts(in, "pending");
    return new JoinState(joiner, snapshotIndex, snapshot, position, time, through, clock,
        received, failed, latest, pending);
  }

  private static List<Broadcast> readBroadcasts(BinaryReader in, String field) {
    int count = in.readInt(field + ".count");
    if (count < 0 || count > in.remaining()) {
      throw new CodecException(field + ".count: " + count + " broadcasts cannot fit in "
          + in.remaining() + " bytes");
    }
    List<Broadcast> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(readBroadcast(in));
    }
    return out;
  }

  private static long[] readLongs(BinaryReader in, String field) {
    int n = in.readByte(field + ".length");
    if (n > StampedConfig.MAX_MEMBERS) {
      throw new CodecException(field + ".length: " + n + " members, at most "
          + StampedConfig.MAX_MEMBERS);
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readLong(field + "[" + i + "]");
    }
    return values;
  }
}
