package io.lockstep.examples.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes what {@link WireWriter} wrote, treating the input as untrusted (paper §5.2, defensive
 * programming): every length is checked against a limit and the bytes left, text must be valid
 * UTF-8, and every failure is a {@link MalformedException} saying what was wrong where.
 */
public final class WireReader {
  private final byte[] data;
  private final String what;
  private int offset;

  /** @param what names the input in error messages, e.g. "kv command" */
  public WireReader(byte[] data, String what) {
    this.data = data;
    this.what = what;
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

  /** Length-prefixed UTF-8 text of at most {@code limit} bytes. */
  public String readString(String field, int limit) {
    byte[] bytes = readBytes(field, limit);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw malformed(field + " is not valid UTF-8");
    }
  }

  /** Checks that every byte was consumed. */
  public void end() {
    if (offset != data.length) {
      throw malformed((data.length - offset) + " unexpected trailing bytes");
    }
  }

  /** Bytes not yet read. */
  public int remaining() {
    return data.length - offset;
  }

  /** An error naming this input. */
  public MalformedException malformed(String detail) {
    return new MalformedException("malformed " + what + ": " + detail);
  }

  private void need(int bytes, String field) {
    if (data.length - offset < bytes) {
      throw malformed("truncated while reading " + field + " at offset " + offset);
    }
  }
}
