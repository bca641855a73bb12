package io.lockstep.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One command a Redis client sent: its arguments as binary-safe byte strings, the first being
 * the command's name. Produced by {@link RespDecoder} from a RESP2 array of bulk strings or from
 * an inline command line.
 *
 * @param args the arguments, at least one (the name); the list is copied, the arrays are not (so
 *     large values are not copied twice), so callers must not change them afterwards
 */
public record RespCommand(List<byte[]> args) {
  public RespCommand {
    Objects.requireNonNull(args, "args");
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least its name");
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i) == null) {
        throw new IllegalArgumentException("argument " + i + " is null");
      }
    }
    args = List.copyOf(args);
  }

  /** A command from UTF-8 strings, for tests and tools. */
  public static RespCommand of(String... args) {
    List<byte[]> bytes = new ArrayList<>(args.length);
    for (String arg : args) {
      bytes.add(arg.getBytes(StandardCharsets.UTF_8));
    }
    return new RespCommand(bytes);
  }

  /** The command's name in lower case (Redis command names are case-insensitive ASCII). */
  /** Bytes this command holds in memory: its arguments plus a fixed overhead per argument. */
  public long bytes() {
    long total = 64;
    for (byte[] a : args) {
      total += a.length + 16;
    }
    return total;
  }

  public String name() {
    return text(0).toLowerCase(Locale.ROOT);
  }

  /** Number of arguments, counting the name (Redis's {@code argc}). */
  public int argc() {
    return args.size();
  }

  /** Argument {@code i}; 0 is the name. */
  public byte[] arg(int i) {
    return args.get(i);
  }

  /** Argument {@code i} decoded as UTF-8, for options and messages. */
  public String text(int i) {
    return new String(args.get(i), StandardCharsets.UTF_8);
  }

  /** True when argument {@code i} equals {@code word} ignoring ASCII case. */
  public boolean is(int i, String word) {
    return text(i).equalsIgnoreCase(word);
  }

  /** The command as a client sends it: a RESP2 array of bulk strings. */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeAscii(out, "*" + args.size() + "\r\n");
    for (byte[] arg : args) {
      writeAscii(out, "$" + arg.length + "\r\n");
      out.writeBytes(arg);
      writeAscii(out, "\r\n");
    }
    return out.toByteArray();
  }

  private static void writeAscii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RespCommand other) || other.args.size() != args.size()) {
      return false;
    }
    for (int i = 0; i < args.size(); i++) {
      if (!Arrays.equals(args.get(i), other.args.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (byte[] arg : args) {
      h = 31 * h + Arrays.hashCode(arg);
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("RespCommand[");
    for (int i = 0; i < args.size(); i++) {
      s.append(i == 0 ? "" : " ").append(i < 8 ? text(i) : "…");
      if (i >= 8) {
        break;
      }
    }
    return s.append(']').toString();
  }
}
