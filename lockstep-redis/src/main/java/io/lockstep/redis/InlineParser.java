package io.lockstep.redis;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments exactly as Redis's {@code sdssplitargs} does, so
 * that what a user types into {@code telnet} or {@code redis-cli} (which may send inline
 * commands) means the same here: arguments are separated by blanks; {@code "..."} allows the
 * escapes {@code \n \r \t \b \a \\ \" \xHH}; {@code '...'} allows only {@code \'}; a closing
 * quote must be followed by a blank or the end of the line.
 */
final class InlineParser {
  private InlineParser() {}

  /**
   * @param line the line without its terminating newline
   * @return the arguments (empty for a blank line), or null when the quotes do not balance
   */
  static List<byte[]> split(byte[] line) {
    List<byte[]> args = new ArrayList<>();
    int p = 0;
    while (true) {
      while (p < line.length && isSpace(line[p])) {
        p++;
      }
      if (p == line.length) {
        return args;
      }
      ByteArrayOutputStream current = new ByteArrayOutputStream();
      p = word(line, p, current);
      if (p < 0) {
        return null;
      }
      args.add(current.toByteArray());
    }
  }

  /** Reads one argument starting at {@code p}; returns the index after it, or -1 on bad quotes. */
  private static int word(byte[] line, int p, ByteArrayOutputStream out) {
    while (p < line.length) {
      byte c = line[p];
      if (isSpace(c)) {
        return p;
      }
      if (c == '"') {
        p = doubleQuoted(line, p + 1, out);
      } else if (c == '\'') {
        p = singleQuoted(line, p + 1, out);
      } else {
        out.write(c);
        p++;
      }
      if (p < 0) {
        return -1;
      }
    }
    return p;
  }

  private static int doubleQuoted(byte[] line, int p, ByteArrayOutputStream out) {
    while (p < line.length) {
      byte c = line[p];
      if (c == '\\' && p + 3 < line.length && line[p + 1] == 'x'
          && hex(line[p + 2]) >= 0 && hex(line[p + 3]) >= 0) {
        out.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
        p += 4;
      } else if (c == '\\' && p + 1 < line.length) {
        out.write(unescape(line[p + 1]));
        p += 2;
      } else if (c == '"') {
        return closingQuote(line, p);
      } else {
        out.write(c);
        p++;
      }
    }
    return -1;
  }

  private static int singleQuoted(byte[] line, int p, ByteArrayOutputStream out) {
    while (p < line.length) {
      byte c = line[p];
      if (c == '\\' && p + 1 < line.length && line[p + 1] == '\'') {
        out.write('\'');
        p += 2;
      } else if (c == '\'') {
        return closingQuote(line, p);
      } else {
        out.write(c);
        p++;
      }
    }
    return -1;
  }

  /** sdssplitargs: a closing quote must be followed by a blank or nothing at all. */
  private static int closingQuote(byte[] line, int quote) {
    int next = quote + 1;
    return next < line.length && !isSpace(line[next]) ? -1 : next;
  }

  private static int unescape(byte c) {
    return switch (c) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'b' -> '\b';
      case 'a' -> 7;
      default -> c;
    };
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** C's isspace, plus NUL, which ends an unquoted argument in sdssplitargs. */
  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0;
  }
}
