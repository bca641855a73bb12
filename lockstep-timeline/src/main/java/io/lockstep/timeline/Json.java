package io.lockstep.timeline;

/**
 * The little JSON the page's data needs (numbers, strings, arrays), written straight into a
 * {@code <script>} element: every {@code <} is escaped, so no string can close the element.
 */
final class Json {
  private Json() {}

  static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '<' -> out.append("\\u003c");
        case '\u2028' -> out.append("\\u2028");
        case '\u2029' -> out.append("\\u2029");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  static void strings(Iterable<String> texts, StringBuilder out) {
    out.append('[');
    boolean first = true;
    for (String text : texts) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(text, out);
    }
    out.append(']');
  }
}
