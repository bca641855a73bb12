package io.lockstep.redis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encodes {@link RespReply}s in RESP2 and parses them back. Pure Java (no Netty), because the
 * replicated store, which must stay free of I/O machinery, produces its outputs with it.
 *
 * <p>{@link #parse} is strict: one complete reply, nothing after it, arrays nested at most
 * {@value #MAX_DEPTH} deep. It checks outputs before they reach a client.
 */
public final class RespReplies {
  /** Deepest nesting of arrays {@link #parse} accepts. */
  public static final int MAX_DEPTH = 32;

  private RespReplies() {}

  /** Where encoded bytes go: a byte array here, a Netty buffer in {@link RespEncoder}. */
  interface Sink {
    void put(byte b);

    void put(byte[] bytes);
  }

  /** The reply's RESP2 encoding. */
  public static byte[] encode(RespReply reply) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(reply, new Sink() {
      @Override
      public void put(byte b) {
        out.write(b);
      }

      @Override
      public void put(byte[] bytes) {
        out.writeBytes(bytes);
      }
    });
    return out.toByteArray();
  }

  static void write(RespReply reply, Sink out) {
    Objects.requireNonNull(reply, "reply");
    if (reply instanceof RespReply.Bulk b) {
      line(out, '$', ascii(b.value().length));
      out.put(b.value());
      out.put((byte) '\r');
      out.put((byte) '\n');
    } else if (reply instanceof RespReply.Array a) {
      line(out, '*', ascii(a.items().size()));
      for (RespReply item : a.items()) {
        write(item, out);
      }
    } else if (reply instanceof RespReply.Simple s) {
      line(out, '+', s.text().getBytes(StandardCharsets.UTF_8));
    } else if (reply instanceof RespReply.Error e) {
      line(out, '-', e.message().getBytes(StandardCharsets.UTF_8));
    } else if (reply instanceof RespReply.Int i) {
      line(out, ':', ascii(i.value()));
    } else if (reply instanceof RespReply.NullBulk) {
      line(out, '$', ascii(-1));
    } else if (reply instanceof RespReply.NullArray) {
      line(out, '*', ascii(-1));
    } else {
      throw new IllegalStateException("unknown reply type " + reply.getClass());
    }
  }

  private static void line(Sink out, char type, byte[] content) {
    out.put((byte) type);
    out.put(content);
    out.put((byte) '\r');
    out.put((byte) '\n');
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Parses exactly one encoded reply.
   *
   * @throws IllegalArgumentException if {@code bytes} is not exactly one well-formed reply
   */
  public static RespReply parse(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    Reader reader = new Reader(bytes);
    RespReply reply = reader.reply(0);
    if (reader.pos != bytes.length) {
      throw new IllegalArgumentException(
          (bytes.length - reader.pos) + " bytes follow the reply");
    }
    return reply;
  }

  /** A cursor over encoded bytes. */
  private static final class Reader {
    private final byte[] bytes;
    private int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    RespReply reply(int depth) {
      if (pos >= bytes.length) {
        throw new IllegalArgumentException("reply truncated at byte " + pos);
      }
      byte type = bytes[pos++];
      String line = line();
      return switch (type) {
        case '+' -> new RespReply.Simple(line);
        case '-' -> new RespReply.Error(line);
        case ':' -> new RespReply.Int(number(line));
        case '$' -> bulk(number(line));
        case '*' -> array(number(line), depth);
        default -> throw new IllegalArgumentException(
            "unknown reply type byte " + (type & 0xFF) + " at " + (pos - 1));
      };
    }

    private RespReply bulk(long length) {
      if (length == -1) {
        return RespReply.NIL;
      }
      if (length < 0 || length > bytes.length - pos - 2L) {
        throw new IllegalArgumentException("bad bulk length " + length + " at " + pos);
      }
      byte[] value = new byte[(int) length];
      System.arraycopy(bytes, pos, value, 0, value.length);
      pos += value.length;
      if (bytes[pos] != '\r' || bytes[pos + 1] != '\n') {
        throw new IllegalArgumentException("bulk not followed by CRLF at " + pos);
      }
      pos += 2;
      return new RespReply.Bulk(value);
    }

    private RespReply array(long count, int depth) {
      if (count == -1) {
        return RespReply.NIL_ARRAY;
      }
      // Every item takes at least 3 bytes, which bounds the count by what is left.
      if (count < 0 || count > (bytes.length - pos) / 3) {
        throw new IllegalArgumentException("bad array length " + count + " at " + pos);
      }
      if (depth >= MAX_DEPTH) {
        throw new IllegalArgumentException("arrays nested deeper than " + MAX_DEPTH);
      }
      List<RespReply> items = new ArrayList<>((int) count);
      for (long i = 0; i < count; i++) {
        items.add(reply(depth + 1));
      }
      return new RespReply.Array(items);
    }

    private String line() {
      for (int i = pos; i + 1 < bytes.length; i++) {
        if (bytes[i] == '\n') {
          throw new IllegalArgumentException("LF without CR at " + i);
        }
        if (bytes[i] == '\r') {
          if (bytes[i + 1] != '\n') {
            throw new IllegalArgumentException("CR without LF at " + i);
          }
          String text = utf8(pos, i - pos);
          pos = i + 2;
          return text;
        }
      }
      throw new IllegalArgumentException("line not terminated after byte " + pos);
    }

    /** Strict UTF-8, so that a parsed reply encodes back to exactly the bytes it came from. */
    private String utf8(int from, int length) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, from, length)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("line at " + from + " is not valid UTF-8", e);
      }
    }

    private static long number(String line) {
      try {
        return RedisNumbers.parseLong(line);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number: '" + line + "'", e);
      }
    }
  }
}
