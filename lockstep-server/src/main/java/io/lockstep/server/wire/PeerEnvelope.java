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
 * </pre>
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

    /** A peer's state digest at one of its checkpoints. */
    record CheckpointDigest(Checkpoint checkpoint) implements Payload {
      public CheckpointDigest {
        Objects.requireNonNull(checkpoint, "checkpoint");
      }
    }
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
}
