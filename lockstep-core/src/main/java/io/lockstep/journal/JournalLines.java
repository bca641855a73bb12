package io.lockstep.journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * The journal's file format: one event per line, ten tab-separated fields —
 * {@code nanos replica KIND peer client sequence position term message detail} — with tab,
 * newline, carriage return and backslash escaped in the two text fields. Lines starting with
 * {@code #} are comments (the header {@value #HEADER}, the writer's notes of events lost).
 *
 * <p>Tab-separated text rather than JSON: it is written on a busy replica, is as easy to read with
 * {@code grep} and {@code cut}, and needs no library in core. A malformed line is reported with its
 * number and reason and skipped; it never stops the reader, because a file cut by a crash ends in a
 * torn line.
 */
public final class JournalLines {
  /** The first line of every journal file. */
  public static final String HEADER = "#lockstep-journal 1";

  private static final int FIELDS = 10;

  private JournalLines() {}

  /** Appends {@code e} as one line, newline included. */
  public static void write(Stamped e, StringBuilder out) {
    Event v = e.event();
    out.append(e.nanos()).append('\t').append(e.replica()).append('\t').append(v.kind().name())
        .append('\t').append(v.peer()).append('\t');
    escape(v.client(), out);
    out.append('\t').append(v.sequence()).append('\t').append(v.position()).append('\t')
        .append(v.term()).append('\t').append(v.message()).append('\t');
    escape(v.detail(), out);
    out.append('\n');
  }

  /** One line as text, without the newline. */
  public static String line(Stamped e) {
    StringBuilder out = new StringBuilder(96);
    write(e, out);
    out.setLength(out.length() - 1);
    return out.toString();
  }

  /**
   * Parses one line (no newline).
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Stamped parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != FIELDS) {
      throw new IllegalArgumentException("expected " + FIELDS + " tab-separated fields, found "
          + f.length);
    }
    Event.Kind kind;
    try {
      kind = Event.Kind.valueOf(f[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown event kind \"" + f[2] + "\"");
    }
    Event event = new Event(kind, (int) number(f[3], "peer"), unescape(f[4]),
        number(f[5], "sequence"), number(f[6], "position"), number(f[7], "term"),
        number(f[8], "message"), unescape(f[9]));
    return new Stamped(number(f[0], "nanos"), (int) number(f[1], "replica"), event);
  }

  /**
   * Reads every line of {@code in}: events go to {@code events}, and each malformed line to
   * {@code bad} as "line N: reason" (comments and blank lines are skipped silently).
   */
  public static void read(Reader in, Consumer<Stamped> events, Consumer<String> bad)
      throws IOException {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    String line;
    long number = 0;
    while ((line = lines.readLine()) != null) {
      number++;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        events.accept(parse(line));
      } catch (IllegalArgumentException e) {
        bad.accept("line " + number + ": " + e.getMessage());
      }
    }
  }

  private static long number(String text, String field) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " is not a number: \"" + text + "\"");
    }
  }

  private static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\\' -> out.append("\\\\");
        default -> out.append(c);
      }
    }
  }

  private static String unescape(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i == text.length()) {
        throw new IllegalArgumentException("text ends in a lone backslash");
      }
      char next = text.charAt(i);
      out.append(switch (next) {
        case 't' -> '\t';
        case 'n' -> '\n';
        case 'r' -> '\r';
        case '\\' -> '\\';
        default -> throw new IllegalArgumentException("unknown escape \\" + next);
      });
    }
    return out.toString();
  }
}
