package io.lockstep.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One RESP2 reply. The replicated store's outputs are encoded replies ({@link RespReplies}), so
 * what a replica computed reaches the client unchanged and replies from different replicas can be
 * compared byte for byte (paper §4).
 */
public sealed interface RespReply {
  /** {@code +OK}. */
  Simple OK = new Simple("OK");
  /** {@code +PONG}. */
  Simple PONG = new Simple("PONG");
  /** {@code $-1}: Redis's nil. */
  NullBulk NIL = new NullBulk();
  /** {@code *-1}: a null array. */
  NullArray NIL_ARRAY = new NullArray();

  /** A bulk string holding {@code text} in UTF-8. */
  static Bulk bulk(String text) {
    return new Bulk(text.getBytes(StandardCharsets.UTF_8));
  }

  /** An error reply; {@code message} starts with its code, e.g. {@code ERR syntax error}. */
  static Error error(String message) {
    return new Error(message);
  }

  /**
   * {@code +text}: a short status line.
   *
   * @param text must not contain CR or LF
   */
  record Simple(String text) implements RespReply {
    public Simple {
      Objects.requireNonNull(text, "text");
      if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("a simple string must not contain CR or LF: " + text);
      }
    }
  }

  /**
   * {@code -message}. Like Redis, CR and LF inside the message become spaces, so no message
   * can break the protocol.
   *
   * @param message the error code and text, e.g. {@code ERR syntax error}
   */
  record Error(String message) implements RespReply {
    public Error {
      Objects.requireNonNull(message, "message");
      message = message.replace('\r', ' ').replace('\n', ' ');
    }
  }

  /** {@code :value}. */
  record Int(long value) implements RespReply {}

  /** {@code $length\r\nbytes}: a binary-safe string. */
  record Bulk(byte[] value) implements RespReply {
    public Bulk {
      Objects.requireNonNull(value, "value");
    }

    /** The value decoded as UTF-8. */
    public String text() {
      return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bulk b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Bulk[" + text() + "]";
    }
  }

  /** {@code $-1}. Use {@link RespReply#NIL}. */
  record NullBulk() implements RespReply {}

  /** {@code *count} followed by the items. */
  record Array(List<RespReply> items) implements RespReply {
    public Array {
      items = List.copyOf(items);
    }
  }

  /** {@code *-1}. Use {@link RespReply#NIL_ARRAY}. */
  record NullArray() implements RespReply {}
}
