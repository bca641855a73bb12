package io.lockstep.examples.kv;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import java.nio.charset.StandardCharsets;

/**
 * The key-value store's compact binary encoding. A command is
 * {@code byte version (1), byte opcode, string key, ...} with strings as int length + UTF-8:
 *
 * <pre>
 * GET 1: key            PUT 2: key, value       DELETE 3: key
 * CAS 4: key, bool expectedPresent, [expected], value
 * INCR 5: key, long delta
 * </pre>
 *
 * Outputs: a value is {@code byte 0} (absent) or {@code byte 1} + UTF-8; a boolean is one byte;
 * a long is eight bytes big-endian. Keys are at most {@value #MAX_KEY_BYTES} bytes of UTF-8,
 * values at most {@value #MAX_VALUE_BYTES}. Encoders refuse oversized arguments with
 * {@link IllegalArgumentException}; the store refuses malformed commands with a reason.
 */
public final class KvCodec {
  /** Encoding version written into every command. */
  public static final int VERSION = 1;
  /** Longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;
  /** Longest value, in UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 512 * 1024;

  static final int GET = 1;
  static final int PUT = 2;
  static final int DELETE = 3;
  static final int CAS = 4;
  static final int INCR = 5;

  private KvCodec() {}

  /** {@code GET key}: usable as a logged command or as a query. */
  public static byte[] get(String key) {
    return header(GET, key).toByteArray();
  }

  /** {@code PUT key value}: output is the previous value ({@link #decodeValue}). */
  public static byte[] put(String key, String value) {
    return header(PUT, key).writeString(checkValue(value)).toByteArray();
  }

  /** {@code DELETE key}: output says whether the key existed ({@link #decodeBoolean}). */
  public static byte[] delete(String key) {
    return header(DELETE, key).toByteArray();
  }

  /**
   * {@code CAS key expected value}: sets the value only if the current value equals
   * {@code expected} (null: only if the key is absent). Output: swapped ({@link #decodeBoolean}).
   */
  public static byte[] cas(String key, String expected, String value) {
    WireWriter out = header(CAS, key).writeBoolean(expected != null);
    if (expected != null) {
      out.writeString(checkValue(expected));
    }
    return out.writeString(checkValue(value)).toByteArray();
  }

  /** {@code INCR key delta}: output is the new value ({@link #decodeLong}). */
  public static byte[] increment(String key, long delta) {
    return header(INCR, key).writeLong(delta).toByteArray();
  }

  /** Decodes a GET or PUT output: the value, or null when absent. */
  public static String decodeValue(byte[] out) {
    if (out.length == 1 && out[0] == 0) {
      return null;
    }
    if (out.length == 0 || out[0] != 1) {
      throw new IllegalArgumentException("not a kv value output (" + out.length + " bytes)");
    }
    return new String(out, 1, out.length - 1, StandardCharsets.UTF_8);
  }

  /** Decodes a DELETE or CAS output. */
  public static boolean decodeBoolean(byte[] out) {
    if (out.length != 1 || (out[0] & 0xfe) != 0) {
      throw new IllegalArgumentException("not a kv boolean output (" + out.length + " bytes)");
    }
    return out[0] == 1;
  }

  /** Decodes an INCR output. */
  public static long decodeLong(byte[] out) {
    if (out.length != 8) {
      throw new IllegalArgumentException("not a kv long output (" + out.length + " bytes)");
    }
    return new WireReader(out, "kv long output").readLong();
  }

  /**
   * Decodes a command.
   *
   * @throws WireReader.MalformedException saying what is wrong: bad version, unknown opcode,
   *     oversized key or value, truncated or trailing bytes, invalid UTF-8
   */
  public static KvCommand decode(byte[] command) {
    WireReader in = new WireReader(command, "kv command");
    int version = in.readByte();
    if (version != VERSION) {
      throw in.malformed("unsupported version " + version + " (this store reads " + VERSION + ")");
    }
    int opcode = in.readByte();
    String key = in.readString("key", MAX_KEY_BYTES);
    KvCommand decoded = switch (opcode) {
      case GET -> new KvCommand.Get(key);
      case PUT -> new KvCommand.Put(key, in.readString("value", MAX_VALUE_BYTES));
      case DELETE -> new KvCommand.Delete(key);
      case CAS -> {
        String expected = in.readBoolean() ? in.readString("expected value", MAX_VALUE_BYTES) : null;
        yield new KvCommand.Cas(key, expected, in.readString("value", MAX_VALUE_BYTES));
      }
      case INCR -> new KvCommand.Increment(key, in.readLong());
      default -> throw in.malformed("unknown opcode " + opcode);
    };
    in.end();
    return decoded;
  }

  static byte[] encodeValue(String value) {
    if (value == null) {
      return new byte[] {0};
    }
    byte[] text = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length + 1];
    out[0] = 1;
    System.arraycopy(text, 0, out, 1, text.length);
    return out;
  }

  static byte[] encodeBoolean(boolean value) {
    return new byte[] {(byte) (value ? 1 : 0)};
  }

  static byte[] encodeLong(long value) {
    return new WireWriter().writeLong(value).toByteArray();
  }

  private static WireWriter header(int opcode, String key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "key is " + bytes + " bytes of UTF-8, the limit is " + MAX_KEY_BYTES);
    }
    return new WireWriter().writeByte(VERSION).writeByte(opcode).writeString(key);
  }

  private static String checkValue(String value) {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "value is " + bytes + " bytes of UTF-8, the limit is " + MAX_VALUE_BYTES);
    }
    return value;
  }
}
