package io.lockstep.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Just enough of the Redis protocol (RESP) for tests that talk to a Redis port by hand. */
final class Resp {
  private Resp() {}

  /** A command as an array of bulk strings of ASCII words. */
  static byte[] command(String... words) {
    StringBuilder out = new StringBuilder("*" + words.length + "\r\n");
    for (String w : words) {
      out.append('$').append(w.length()).append("\r\n").append(w).append("\r\n");
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** One CRLF-ended line of an answer, without the CRLF. */
  static String line(InputStream in) throws IOException {
    StringBuilder out = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed after \"" + out + "\"");
      }
      out.append((char) c);
    }
    if (in.read() != '\n') {
      throw new IOException("a CR without LF after \"" + out + "\"");
    }
    return out.toString();
  }
}
