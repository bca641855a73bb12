package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads what {@link BinaryWriter} wrote, treating the input as untrusted: every length and count
 * is checked against the bytes left, and every failure is an {@link IllegalArgumentException}
 * that names what was being read and where.
 */
final class BinaryReader {
  private final byte[] data;
  private final int limit;
  private int offset;

  BinaryReader(byte[] data, int limit) {
    this.data = data;
    this.limit = limit;
  }

  int readByte() {
    need(1, "byte");
    return data[offset++] & 0xff;
  }

  boolean readBoolean() {
    int b = readByte();
    if (b > 1) {
      throw corrupt("boolean byte " + b + " at offset " + (offset - 1));
    }
    return b == 1;
  }

  int readInt() {
    need(4, "int");
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (data[offset++] & 0xff);
    }
    return value;
  }

  long readLong() {
    need(8, "long");
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (data[offset++] & 0xff);
    }
    return value;
  }

  /**
   * A count of items that each take at least {@code minItemBytes}: bounded by the bytes left, so
   * a corrupt count cannot make the caller allocate without limit.
   */
  int readCount(String what, int minItemBytes) {
    int count = readInt();
    if (count < 0 || (long) count * minItemBytes > remaining()) {
      throw corrupt(what + " count " + count + " does not fit in the " + remaining()
          + " bytes left at offset " + offset);
    }
    return count;
  }

  byte[] readBytes(String what) {
    int length = readInt();
    if (length < 0 || length > remaining()) {
      throw corrupt(what + " length " + length + " at offset " + (offset - 4) + " exceeds the "
          + remaining() + " bytes left");
    }
    byte[] out = new byte[length];
    System.arraycopy(data, offset, out, 0, length);
    offset += length;
    return out;
  }

  String readString(String what) {
    byte[] bytes = readBytes(what);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw corrupt(what + " is not valid UTF-8");
    }
  }

  ClientId readClient(String what) {
    String value = readString(what);
    try {
      return ClientId.of(value);
    } catch (IllegalArgumentException e) {
      throw corrupt(what + ": " + e.getMessage());
    }
  }

  int offset() {
    return offset;
  }

  int remaining() {
    return limit - offset;
  }

  IllegalArgumentException corrupt(String detail) {
    return new IllegalArgumentException("corrupt executor snapshot: " + detail);
  }

  private void need(int bytes, String what) {
    if (remaining() < bytes) {
      throw corrupt("truncated while reading a " + what + " at offset " + offset);
    }
  }
}
