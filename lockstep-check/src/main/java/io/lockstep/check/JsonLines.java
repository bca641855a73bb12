package io.lockstep.check;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON-lines codec for {@link Op}: a writer for exactly one format and a strict parser for it.
 *
 * <p>Hand-written rather than a JSON library so that lockstep-check has no dependencies (users run
 * it on histories from anywhere) and so that every deviation from the format — a wrong type, an
 * unknown or missing or repeated field, a bad escape, a raw control character, trailing text — is
 * rejected with the line and column instead of being silently coerced.
 */
final class JsonLines {
  /** The fields of one event, in the order the writer emits them. */
  static final List<String> FIELDS =
      List.of("process", "type", "f", "key", "value", "expected", "time");

  private JsonLines() {}

  /** One event as one line of JSON, fields in {@link #FIELDS} order, no line terminator. */
  static String toJson(Op op) {
    StringBuilder out = new StringBuilder(96);
    out.append("{\"process\":").append(op.process());
    out.append(",\"type\":\"").append(op.type().json()).append('"');
    out.append(",\"f\":");
    appendString(out, op.f());
    out.append(",\"key\":");
    appendString(out, op.key());
    out.append(",\"value\":");
    appendString(out, op.value());
    out.append(",\"expected\":");
    appendString(out, op.expected());
    out.append(",\"time\":").append(op.time()).append('}');
    return out.toString();
  }

  /**
   * Appends a JSON string literal (or {@code null}). Control characters and unpaired surrogates
   * are escaped so that the line survives any charset and any line splitting; other characters,
   * including paired surrogates, are written as they are.
   */
  static void appendString(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (c < 0x20 || Character.isSurrogate(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Parses one line into an {@link Op}.
   *
   * @throws HistoryFormatException naming {@code lineNumber} if the line is not exactly one event
   */
  static Op parse(String line, int lineNumber) {
    Map<String, Object> fields = new LineParser(line, lineNumber).object();
    for (String name : FIELDS) {
      if (!fields.containsKey(name)) {
        throw new HistoryFormatException(lineNumber, "missing field \"" + name + "\"");
      }
    }
    try {
      return new Op(
          (int) integer(fields, "process", Integer.MIN_VALUE, Integer.MAX_VALUE, lineNumber),
          Op.Type.fromJson(string(fields, "type", false, lineNumber)),
          string(fields, "f", false, lineNumber),
          string(fields, "key", false, lineNumber),
          string(fields, "value", true, lineNumber),
          string(fields, "expected", true, lineNumber),
          integer(fields, "time", Long.MIN_VALUE, Long.MAX_VALUE, lineNumber));
    } catch (HistoryFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new HistoryFormatException(lineNumber, e.getMessage());
    }
  }

  private static String string(
      Map<String, Object> fields, String name, boolean nullable, int lineNumber) {
    Object v = fields.get(name);
    if (v instanceof String s) {
      return s;
    }
    if (v == LineParser.NULL && nullable) {
      return null;
    }
    throw new HistoryFormatException(lineNumber, "field \"" + name + "\" must be a string"
        + (nullable ? " or null" : "") + ", not " + LineParser.describe(v));
  }

  private static long integer(
      Map<String, Object> fields, String name, long min, long max, int lineNumber) {
    Object v = fields.get(name);
    if (v instanceof LineParser.Number n && n.integral()) {
      try {
        long value = Long.parseLong(n.text());
        if (value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // Out of the range of long: reported below like any other out-of-range value.
      }
      throw new HistoryFormatException(lineNumber, "field \"" + name + "\" is out of range ["
          + min + ", " + max + "]: " + n.text());
    }
    throw new HistoryFormatException(
        lineNumber, "field \"" + name + "\" must be an integer, not " + LineParser.describe(v));
  }

  /** A recursive-descent parser for one line holding one flat JSON object. */
  private static final class LineParser {
    /** JSON null (a map cannot tell a null value from a missing key). */
    static final Object NULL = new Object();

    /** A JSON number as written; {@code integral} when it has no fraction and no exponent. */
    record Number(String text, boolean integral) {}

    private final String line;
    private final int lineNumber;
    private int pos;

    LineParser(String line, int lineNumber) {
      this.line = line;
      this.lineNumber = lineNumber;
    }

    static String describe(Object v) {
      if (v == NULL) {
        return "null";
      }
      if (v instanceof String s) {
        return "the string \"" + s + "\"";
      }
      if (v instanceof Number n) {
        return "the number " + n.text();
      }
      return "the literal " + v;
    }

    Map<String, Object> object() {
      Map<String, Object> fields = new HashMap<>();
      skipWhitespace();
      expect('{');
      skipWhitespace();
      if (peek() != '}') {
        member(fields);
        skipWhitespace();
        while (peek() == ',') {
          pos++;
          skipWhitespace();
          member(fields);
          skipWhitespace();
        }
      }
      expect('}');
      skipWhitespace();
      if (pos < line.length()) {
        throw error("unexpected text after the end of the object");
      }
      return fields;
    }

    private void member(Map<String, Object> fields) {
      int start = pos;
      if (peek() != '"') {
        throw error("expected a field name in double quotes");
      }
      String name = string();
      if (!FIELDS.contains(name)) {
        pos = start;
        throw error("unknown field \"" + name + "\" (expected " + String.join(", ", FIELDS) + ")");
      }
      if (fields.containsKey(name)) {
        pos = start;
        throw error("field \"" + name + "\" appears twice");
      }
      skipWhitespace();
      expect(':');
      skipWhitespace();
      fields.put(name, value());
    }

    private Object value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '-' || c >= '0' && c <= '9') {
        return number();
      }
      if (c == '{' || c == '[') {
        throw error("nested objects and arrays are not part of the format");
      }
      for (String literal : List.of("null", "true", "false")) {
        if (line.startsWith(literal, pos)) {
          pos += literal.length();
          return literal.equals("null") ? NULL : Boolean.valueOf(literal);
        }
      }
      throw error(pos < line.length() ? "expected a value" : "line ends where a value is expected");
    }

    /** JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    private Number number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      if (peek() == '0') {
        pos++;
      } else if (!digits()) {
        throw error("malformed number");
      }
      boolean integral = true;
      if (peek() == '.') {
        pos++;
        integral = false;
        if (!digits()) {
          throw error("malformed number: digits expected after '.'");
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        integral = false;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        if (!digits()) {
          throw error("malformed number: digits expected in the exponent");
        }
      }
      return new Number(line.substring(start, pos), integral);
    }

    private boolean digits() {
      int start = pos;
      while (peek() >= '0' && peek() <= '9') {
        pos++;
      }
      return pos > start;
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (pos >= line.length()) {
          throw error("unterminated string");
        }
        char c = line.charAt(pos);
        if (c == '"') {
          pos++;
          return out.toString();
        }
        if (c < 0x20) {
          throw error(String.format("raw control character U+%04X in a string (escape it)", +c));
        }
        if (c == '\\') {
          out.append(escape());
        } else {
          out.append(c);
          pos++;
        }
      }
    }

    /** One escape sequence; pos is at the backslash. */
    private char escape() {
      int start = pos;
      pos++;
      if (pos >= line.length()) {
        throw error("unterminated escape sequence");
      }
      char c = line.charAt(pos++);
      return switch (c) {
        case '"' -> '"';
        case '\\' -> '\\';
        case '/' -> '/';
        case 'b' -> '\b';
        case 'f' -> '\f';
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        case 'u' -> unicodeEscape(start);
        default -> {
          pos = start;
          throw error("bad escape sequence \\" + c);
        }
      };
    }

    private char unicodeEscape(int start) {
      if (pos + 4 > line.length()) {
        pos = start;
        throw error("bad escape sequence: \\u needs four hex digits");
      }
      int code = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(line.charAt(pos + i), 16);
        if (digit < 0) {
          pos = start;
          throw error("bad escape sequence: \\u needs four hex digits");
        }
        code = code * 16 + digit;
      }
      pos += 4;
      return (char) code;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error(pos < line.length()
            ? "expected '" + c + "' but found '" + line.charAt(pos) + "'"
            : "expected '" + c + "' but the line ends");
      }
      pos++;
    }

    /** The current character, or NUL at the end of the line (never valid where peeked for). */
    private char peek() {
      return pos < line.length() ? line.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
      while (pos < line.length() && " \t\r".indexOf(line.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private HistoryFormatException error(String problem) {
      return new HistoryFormatException(lineNumber, "column " + (pos + 1) + ": " + problem);
    }
  }
}
