package io.lockstep.server.wire;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.replica.Checkpoint;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Every payload on the peer port starts with a one-byte channel, so that the runtime can talk
 * to other replicas next to the coordination protocol without knowing the protocol's messages:
 *
 * <pre>
 * u8 channel
 *   0 protocol   the rest is one message in the protocol's own codec
 *                ({@link io.lockstep.order.ProtocolCodec})
 *   1 runtime    u8 kind, then the kind's fields:
 *                  1 checkpoint digest   i64 position (at least 1), 32 bytes SHA-256 of the
 *                                        executor's state at that applied position
 *                  2 clock probe         i64 the sender's wall clock when it sent the probe
 *                  3 clock echo          i64 the probe's own reading, i64 the echoing
 *                                        replica's wall clock when it received the probe
 *                  4 relayed requests    i32 count (at least 1), count × {bytes request (the
 *                                        storage codec's layout, what the tag covers),
 *                                        16 bytes: the client's tag for the receiver}
 *                  5 relayed, then       as 4, then the rest of the frame is one more payload
 *                                        of this layout (channel 0, or runtime kinds 1 to 3)
 * </pre>
 *
 * <p>Kind 5 lets relayed requests ride in the frame of the first protocol message of the same
 * turn to that replica (under PBFT, usually the pre-prepare that orders them): a frame costs
 * both ends far more than its bytes, and one more frame per turn and replica ate most of what
 * relaying saves.
 *
 * <p>Probes and echoes let a replica estimate message delays and clock differences to each
 * peer, for protocols whose order assumes bounds on them (see {@code AssumptionWatch}).
 *
 * <p>Strict: an empty payload, an unknown channel or kind, a position below 1, truncation and
 * trailing bytes are a {@link WireReader.MalformedException} saying what was wrong; the replica
 * drops such a payload, counts and logs it. Replicas of one cluster must run builds that agree
 * on this layout (an older build's bare protocol bytes would be read as a channel byte and
 * dropped as malformed).
 */
public final class PeerEnvelope {
  /** Channel of the coordination protocol's messages. */
  public static final int PROTOCOL = 0;
  /** Channel of the runtime's own messages (state digests). */
  public static final int RUNTIME = 1;
  /** Runtime message kind: a checkpoint digest. */
  static final int CHECKPOINT = 1;
  /** Runtime message kind: a clock probe. */
  static final int CLOCK_PROBE = 2;
  /** Runtime message kind: the answer to a clock probe. */
  static final int CLOCK_ECHO = 3;
  /** Runtime message kind: requests a client handed to the sender, relayed. */
  static final int RELAYED = 4;
  /** Runtime message kind: relayed requests, then another payload in the same frame. */
  static final int RELAYED_THEN = 5;
  /** Length of a SHA-256 digest. */
  static final int DIGEST_BYTES = 32;

  private PeerEnvelope() {}

  /** What a peer payload carries. */
  public sealed interface Payload {
    /** A protocol message, still in the protocol's codec (the array is owned by the caller). */
    record Protocol(byte[] message) implements Payload {
      public Protocol {
        Objects.requireNonNull(message, "message");
      }
    }

    /** A peer's clock probe: answer it with an echo at once. */
    record ClockProbe(long sentAt) implements Payload {}

    /** A peer's echo of this replica's probe sent at {@code sentAt}. */
    record ClockEcho(long sentAt, long receivedAt) implements Payload {}

    /**
     * Requests a client handed to the sending replica, each with the client's tag for this
     * replica; nothing is checked yet (the receiver checks each tag against its own session
     * with the client).
     */
    record Relayed(java.util.List<RelayedRequest> requests, Payload then) implements Payload {
      public Relayed {
        requests = java.util.List.copyOf(requests);
      }
    }

    /** A peer's state digest at one of its checkpoints. */
    record CheckpointDigest(Checkpoint checkpoint) implements Payload {
      public CheckpointDigest {
        Objects.requireNonNull(checkpoint, "checkpoint");
      }
    }
  }

  /**
   * One relayed request as it arrived: its bytes (which the tag covers and which still have to
   * be decoded) and the tag.
   */
  public record RelayedRequest(byte[] request, byte[] tag) {
    public RelayedRequest {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(tag, "tag");
    }
  }

  /**
   * Encodes relayed requests for one receiver: each request's bytes (as {@code
   * Authenticator.covered} makes them) with the client's tag for that receiver.
   */
  public static byte[] relayed(java.util.List<RelayedRequest> requests) {
    return relayed(requests, null);
  }

  /**
   * As {@link #relayed(java.util.List)}, followed in the same frame by {@code then}, an encoded
   * payload of another kind (null: none).
   */
  public static byte[] relayed(java.util.List<RelayedRequest> requests, byte[] then) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("nothing to relay");
    }
    if (then != null && carriesRelayed(then)) {
      throw new IllegalArgumentException("relayed requests are not nested");
    }
    int size = 6 + (then == null ? 0 : then.length);
    for (RelayedRequest r : requests) {
      size += 4 + r.request().length + Authenticator.TAG_BYTES;
    }
    WireWriter out = new WireWriter(size).writeByte(RUNTIME)
        .writeByte(then == null ? RELAYED : RELAYED_THEN).writeInt(requests.size());
    for (RelayedRequest r : requests) {
      if (r.tag().length != Authenticator.TAG_BYTES) {
        throw new IllegalArgumentException("a tag is " + Authenticator.TAG_BYTES + " bytes");
      }
      out.writeBytes(r.request()).writeRaw(r.tag());
    }
    if (then != null) {
      out.writeRaw(then);
    }
    return out.toByteArray();
  }

  /** Encodes a clock probe sent at {@code sentAt} on the sender's wall clock. */
  public static byte[] clockProbe(long sentAt) {
    return new WireWriter().writeByte(RUNTIME).writeByte(CLOCK_PROBE).writeLong(sentAt)
        .toByteArray();
  }

  /** Encodes the echo of a probe sent at {@code sentAt}, received at {@code receivedAt}. */
  public static byte[] clockEcho(long sentAt, long receivedAt) {
    return new WireWriter().writeByte(RUNTIME).writeByte(CLOCK_ECHO).writeLong(sentAt)
        .writeLong(receivedAt).toByteArray();
  }

  /** Wraps a protocol message's bytes (one copy: the codec's array has no room for the tag). */
  public static byte[] protocol(byte[] message) {
    byte[] out = new byte[message.length + 1];
    out[0] = PROTOCOL;
    System.arraycopy(message, 0, out, 1, message.length);
    return out;
  }

  /**
   * Encodes a checkpoint digest.
   *
   * @throws IllegalArgumentException if its digest is not the hex of 32 bytes or its position is
   *     below 1 (a local bug: the replica records only such digests)
   */
  public static byte[] checkpoint(Checkpoint checkpoint) {
    byte[] digest = HexFormat.of().parseHex(checkpoint.digest());
    if (digest.length != DIGEST_BYTES || checkpoint.position() < 1) {
      throw new IllegalArgumentException("not a checkpoint digest: " + checkpoint);
    }
    return new WireWriter().writeByte(RUNTIME).writeByte(CHECKPOINT)
        .writeLong(checkpoint.position()).writeRaw(digest).toByteArray();
  }

  /**
   * Decodes a payload from another replica (untrusted).
   *
   * @throws WireReader.MalformedException if it does not follow the layout above
   */
  public static Payload decode(byte[] payload) {
    WireReader in = new WireReader(payload, payload.length, "malformed peer payload");
    int channel = in.readByte();
    if (channel == PROTOCOL) {
      return new Payload.Protocol(Arrays.copyOfRange(payload, 1, payload.length));
    }
    if (channel != RUNTIME) {
      throw in.malformed("unknown channel " + channel);
    }
    int kind = in.readByte();
    if (kind == CLOCK_PROBE || kind == CLOCK_ECHO) {
      return clock(in, kind);
    }
    if (kind == RELAYED || kind == RELAYED_THEN) {
      return relayed(payload, in, kind == RELAYED_THEN);
    }
    if (kind != CHECKPOINT) {
      throw in.malformed("unknown runtime message kind " + kind);
    }
    long position = in.readLong();
    if (position < 1) {
      throw in.malformed("checkpoint position " + position + " is below 1");
    }
    if (in.remaining() < DIGEST_BYTES) {
      throw in.malformed("truncated digest: " + in.remaining() + " of " + DIGEST_BYTES + " bytes");
    }
    byte[] digest = Arrays.copyOfRange(payload, in.offset(), in.offset() + DIGEST_BYTES);
    if (in.remaining() != DIGEST_BYTES) {
      throw in.malformed((in.remaining() - DIGEST_BYTES) + " unexpected trailing bytes");
    }
    return new Payload.CheckpointDigest(new Checkpoint(position, HexFormat.of().formatHex(digest)));
  }

  /** Whether encoded {@code payload} is itself relayed requests (kind 4 or 5): never nested. */
  private static boolean carriesRelayed(byte[] payload) {
    return payload.length > 1 && payload[0] == RUNTIME
        && (payload[1] == RELAYED || payload[1] == RELAYED_THEN);
  }

  private static Payload relayed(byte[] payload, WireReader in, boolean then) {
    int count = in.readCount("relayed requests", 4 + Authenticator.TAG_BYTES);
    if (count < 1) {
      throw in.malformed("relayed requests: none");
    }
    java.util.List<RelayedRequest> requests = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] request = in.readBytes("relayed request");
      if (in.remaining() < Authenticator.TAG_BYTES) {
        throw in.malformed("truncated tag of relayed request " + i);
      }
      byte[] tag = new byte[Authenticator.TAG_BYTES];
      for (int b = 0; b < tag.length; b++) {
        tag[b] = (byte) in.readByte();
      }
      requests.add(new RelayedRequest(request, tag));
    }
    if (!then) {
      if (in.remaining() != 0) {
        throw in.malformed(in.remaining() + " unexpected trailing bytes");
      }
      return new Payload.Relayed(requests, null);
    }
    byte[] rest = Arrays.copyOfRange(payload, in.offset(), payload.length);
    if (carriesRelayed(rest)) {
      throw in.malformed("relayed requests nested in relayed requests");
    }
    return new Payload.Relayed(requests, decode(rest));
  }

  private static Payload clock(WireReader in, int kind) {
    long sentAt = in.readLong();
    Payload p = kind == CLOCK_PROBE ? new Payload.ClockProbe(sentAt)
        : new Payload.ClockEcho(sentAt, in.readLong());
    if (in.remaining() != 0) {
      throw in.malformed(in.remaining() + " unexpected trailing bytes");
    }
    return p;
  }
}
