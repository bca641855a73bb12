package io.lockstep.bench.ratis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A key-value command as it travels in a Ratis message and log entry: one tag byte, then the key
 * and values each prefixed by a 4-byte length. Writes ({@link Put}, {@link Cas}) go through the
 * log; {@link Get} goes through Ratis's read-only path.
 */
sealed interface KvCommand permits KvCommand.Put, KvCommand.Cas, KvCommand.Get {

  byte PUT = 1;
  byte CAS = 2;
  byte GET = 3;

  /** Sets {@code key} to {@code value}. */
  record Put(String key, byte[] value) implements KvCommand {
    @Override
    public ByteString encode() {
      return frame(PUT, utf8(key), value);
    }
  }

  /** Sets {@code key} to {@code value} if its value equals {@code expected}. */
  record Cas(String key, byte[] expected, byte[] value) implements KvCommand {
    @Override
    public ByteString encode() {
      return frame(CAS, utf8(key), expected, value);
    }
  }

  /** Reads {@code key}. */
  record Get(String key) implements KvCommand {
    @Override
    public ByteString encode() {
      return frame(GET, utf8(key));
    }
  }

  /** The command's wire form. */
  ByteString encode();

  /**
   * Parses a command's wire form.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed command
   */
  static KvCommand decode(ByteString bytes) {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    try {
      byte tag = in.get();
      KvCommand command = switch (tag) {
        case PUT -> new Put(string(in), field(in));
        case CAS -> new Cas(string(in), field(in), field(in));
        case GET -> new Get(string(in));
        default -> throw new IllegalArgumentException("unknown command tag " + tag);
      };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes after " + tag);
      }
      return command;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated command of " + bytes.size() + " bytes", e);
    }
  }

  /** UTF-8 bytes of a key. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A tag followed by length-prefixed fields. */
  static ByteString frame(byte tag, byte[]... fields) {
    int size = 1;
    for (byte[] f : fields) {
      size += Integer.BYTES + f.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).put(tag);
    for (byte[] f : fields) {
      out.putInt(f.length).put(f);
    }
    return ByteString.copyFrom(out.flip());
  }

  /** Reads one length-prefixed field, checking the length against what is left. */
  static byte[] field(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException(
          "field length " + length + " exceeds the " + in.remaining() + " bytes left");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  /** Reads one length-prefixed UTF-8 field. */
  static String string(ByteBuffer in) {
    return new String(field(in), StandardCharsets.UTF_8);
  }

  /** The single byte a compare-and-set answers with. */
  static ByteString casAnswer(boolean swapped) {
    return ByteString.copyFrom(new byte[] {(byte) (swapped ? 1 : 0)});
  }

  /** Whether {@code answer} (a compare-and-set's reply) says the value was swapped. */
  static boolean swapped(ByteString answer) {
    return answer.size() == 1 && answer.byteAt(0) == 1;
  }
}
