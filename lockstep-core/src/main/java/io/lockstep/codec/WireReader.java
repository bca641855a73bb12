package io.lockstep.codec;

import io.lockstep.machine.ClientId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes what {@link WireWriter} wrote, treating the input as untrusted (paper §5.2, defensive
 * programming): every length and count is checked against a limit and the bytes left, text must
 * be valid UTF-8, and every failure is a {@link MalformedException} saying what was wrong where.
 * Used by the executor's snapshot format and by state machines' command codecs.
 */
public final class WireReader {
  private final byte[] data;
  private final int limit;
  private final String description;
  private int offset;

  /** @param what names the input in error messages, e.g. "kv command" */
  public WireReader(byte[] data, String what) {
    this(data, data.length, "malformed " + what);
  }

  /**
   * Reads only the first {@code length} bytes of {@code data} (e.g. before a checksum trailer).
   *
   * @param description starts every error message, e.g. "corrupt executor snapshot"
   */
  public WireReader(byte[] data, int length, String description) {
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException(description + ": length " + length
          + " outside the " + data.length + " bytes given");
    }
    this.data = data;
    this.limit = length;
    this.description = description;
  }

  /** Thrown for input that does not follow the format. */
  public static final class MalformedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  public int readByte() {
    need(1, "a byte");
    return data[offset++] & 0xff;
  }

  public boolean readBoolean() {
    int b = readByte();
    if (b > 1) {
      throw malformed("flag byte " + b + " is neither 0 nor 1");
    }
    return b == 1;
  }

  public int readInt() {
    need(4, "an int");
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (data[offset++] & 0xff);
    }
    return value;
  }

  public long readLong() {
    need(8, "a long");
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (data[offset++] & 0xff);
    }
    return value;
  }

  /** Length-prefixed bytes of at most {@code limit} bytes; {@code field} names them. */
  public byte[] readBytes(String field, int limit) {
    int length = readInt();
    if (length < 0 || length > limit) {
      throw malformed(field + " is " + length + " bytes, the limit is " + limit);
    }
    need(length, field);
    byte[] out = new byte[length];
    System.arraycopy(data, offset, out, 0, length);
    offset += length;
    return out;
  }

  /** Length-prefixed bytes bounded only by the input left. */
  public byte[] readBytes(String field) {
    return readBytes(field, remaining());
  }

  /**
   * A count of items that each take at least {@code minItemBytes}: bounded by the bytes left, so
   * a corrupt count cannot make the caller allocate without limit.
   */
  public int readCount(String field, int minItemBytes) {
    int count = readInt();
    if (count < 0 || (long) count * minItemBytes > remaining()) {
      throw malformed(field + " count " + count + " does not fit in the " + remaining()
          + " bytes left at offset " + offset);
    }
    return count;
  }

  /** Length-prefixed UTF-8 text bounded only by the input left. */
  public String readString(String field) {
    return readString(field, remaining());
  }

  /** A length-prefixed client identity, validated like any {@link ClientId}. */
  public ClientId readClient(String field) {
    String value = readString(field);
    try {
      return ClientId.of(value);
    } catch (IllegalArgumentException e) {
      throw malformed(field + ": " + e.getMessage());
    }
  }

  /** Length-prefixed UTF-8 text of at most {@code limit} bytes. */
  public String readString(String field, int limit) {
    byte[] bytes = readBytes(field, limit);
    if (ascii(bytes)) {
      // ASCII is valid UTF-8 and decodes to the same characters under Latin-1, without a strict
      // decoder built per string: most text on the wire is ASCII (every request's client id),
      // and building those decoders took about 40 % of a pbft replica's peer network samples
      // while view changes, which carry many client ids, were decoded.
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw malformed(field + " is not valid UTF-8");
    }
  }

  private static boolean ascii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** Checks that every byte was consumed. */
  public void end() {
    if (offset != limit) {
      throw malformed((limit - offset) + " unexpected trailing bytes");
    }
  }

  /** Bytes not yet read. */
  public int remaining() {
    return limit - offset;
  }

  /** Bytes read so far. */
  public int offset() {
    return offset;
  }

  /** An error naming this input. */
  public MalformedException malformed(String detail) {
    return new MalformedException(description + ": " + detail);
  }

  private void need(int bytes, String field) {
    if (remaining() < bytes) {
      throw malformed("truncated while reading " + field + " at offset " + offset);
    }
  }
}
