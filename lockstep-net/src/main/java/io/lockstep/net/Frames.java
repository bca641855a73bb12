package io.lockstep.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The wire format shared by replica-to-replica and client connections (a versioned binary format
 * with a checksum per frame, never Java serialization).
 *
 * <pre>
 *   [magic u16 = 0x4C53 "LS"][version u8 = 1][flags u8 = kind][length u32][crc32c u32][payload]
 * </pre>
 *
 * <p>All integers are big-endian. {@code length} counts payload bytes only. The CRC32C covers the
 * first eight header bytes and the payload, so a flipped flag or length is caught as surely as a
 * flipped payload byte (a CRC detects every burst error up to 32 bits). The checksum catches
 * accidents; the per-frame MAC of an authenticated connection (see {@link SecureSession}) catches
 * forgeries. Lengths above the configured maximum are refused from the header alone, before any
 * buffer for the payload is allocated.
 */
public final class Frames {
  /** The first two bytes of every frame: "LS". */
  public static final int MAGIC = 0x4C53;
  /** The only version this build speaks. */
  public static final int VERSION = 1;
  /** Bytes before the payload. */
  public static final int HEADER_BYTES = 12;
  /** Default largest payload: 4 MiB, enough for a batch of maximum-size commands. */
  public static final int DEFAULT_MAX_PAYLOAD = 4 << 20;

  private static final int CHECKED_HEADER_BYTES = 8;

  private Frames() {}

  /**
   * One decoded frame.
   *
   * @param kind what the frame carries
   * @param payload the payload bytes (owned by the receiver)
   */
  public record Frame(FrameKind kind, byte[] payload) {
    public Frame {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Frame f && kind == f.kind && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
      return 31 * kind.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Frame[" + kind + " " + payload.length + "B]";
    }
  }

  /** The outcome of trying to decode one frame from the front of a buffer. */
  public sealed interface Decoded permits Complete, NeedMore, Invalid {}

  /** A whole, valid frame was read and consumed from the buffer. */
  public record Complete(Frame frame) implements Decoded {}

  /** The buffer holds a valid prefix of a frame; nothing was consumed. */
  public record NeedMore() implements Decoded {}

  /**
   * The bytes are not a valid frame; the connection must be closed.
   *
   * @param reason the counted reason
   * @param detail what exactly was wrong, for the log
   */
  public record Invalid(RejectReason reason, String detail) implements Decoded {}

  private static final NeedMore NEED_MORE = new NeedMore();

  /** Encodes one frame into a new array (for tests and tools that speak the protocol raw). */
  public static byte[] encode(FrameKind kind, byte[] payload) {
    ByteBuf out = Unpooled.buffer(HEADER_BYTES + payload.length);
    encode(kind, payload, EMPTY, out);
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  private static final byte[] EMPTY = new byte[0];

  /** Writes a frame whose payload is {@code body ‖ trailer} (the trailer holds a MAC, or nothing). */
  static void encode(FrameKind kind, byte[] body, byte[] trailer, ByteBuf out) {
    int start = out.writerIndex();
    out.writeShort(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(kind.flags());
    out.writeInt(body.length + trailer.length);
    CRC32C crc = new CRC32C();
    crc.update(out.nioBuffer(start, CHECKED_HEADER_BYTES));
    crc.update(body);
    crc.update(trailer);
    out.writeInt((int) crc.getValue());
    out.writeBytes(body);
    out.writeBytes(trailer);
  }

  /**
   * Decodes the frame at the reader index of {@code in}. Consumes the frame's bytes only when it
   * returns {@link Complete}; never allocates more than {@code maxPayload} bytes.
   */
  public static Decoded decode(ByteBuf in, int maxPayload) {
    int start = in.readerIndex();
    int available = in.readableBytes();
    if (available >= 2 && in.getUnsignedShort(start) != MAGIC) {
      return new Invalid(RejectReason.BAD_MAGIC,
          String.format("magic 0x%04x, expected 0x%04x", in.getUnsignedShort(start), MAGIC));
    }
    if (available >= 3 && in.getUnsignedByte(start + 2) != VERSION) {
      return new Invalid(RejectReason.BAD_VERSION,
          "version " + in.getUnsignedByte(start + 2) + ", this build speaks " + VERSION);
    }
    if (available >= 4 && FrameKind.ofFlags(in.getUnsignedByte(start + 3)) == null) {
      return new Invalid(RejectReason.BAD_FLAGS, "flags 0x" + Integer.toHexString(
          in.getUnsignedByte(start + 3)) + " name no frame kind");
    }
    if (available >= CHECKED_HEADER_BYTES && in.getUnsignedInt(start + 4) > maxPayload) {
      return new Invalid(RejectReason.OVERSIZED,
          "length " + in.getUnsignedInt(start + 4) + " exceeds the limit of " + maxPayload);
    }
    if (available < HEADER_BYTES) {
      return NEED_MORE;
    }
    int length = (int) in.getUnsignedInt(start + 4);
    if (available < HEADER_BYTES + length) {
      return NEED_MORE;
    }
    return verifyAndRead(in, start, length);
  }

  private static Decoded verifyAndRead(ByteBuf in, int start, int length) {
    CRC32C crc = new CRC32C();
    crc.update(in.nioBuffer(start, CHECKED_HEADER_BYTES));
    crc.update(in.nioBuffer(start + HEADER_BYTES, length));
    int expected = in.getInt(start + CHECKED_HEADER_BYTES);
    if ((int) crc.getValue() != expected) {
      return new Invalid(RejectReason.BAD_CHECKSUM, String.format(
          "crc32c 0x%08x, frame says 0x%08x", (int) crc.getValue(), expected));
    }
    FrameKind kind = FrameKind.ofFlags(in.getUnsignedByte(start + 3));
    byte[] payload = new byte[length];
    in.getBytes(start + HEADER_BYTES, payload);
    in.readerIndex(start + HEADER_BYTES + length);
    return new Complete(new Frame(kind, payload));
  }
}
