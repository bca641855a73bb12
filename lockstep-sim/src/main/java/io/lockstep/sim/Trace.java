package io.lockstep.sim;

import io.lockstep.journal.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The canonical text trace of a run and its running SHA-256 digest.
 *
 * <p>Every event the simulator carries out (deliveries, drops, crashes, restarts, client
 * operations, applied requests…) is one line {@code <nanos> <what>}. Two runs of one seed must
 * produce the same lines, so equal digests are the cheap proof that a seed replays exactly.
 * Lines never contain identity hash codes: payloads are rendered by {@link Canon}.
 */
final class Trace {
  private final MessageDigest sha256;
  private final Writer out;
  private final StringBuilder line = new StringBuilder(256);
  private long lines;
  private SimJournal journal;

  /** @param out where to also write the lines, or null to only digest them */
  Trace(Writer out) {
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
    this.out = out;
  }

  /** Records one event at simulated time {@code nanos}. */
  void record(long nanos, String what) {
    line.setLength(0);
    line.append(nanos).append(' ').append(what).append('\n');
    byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
    sha256.update(bytes);
    lines++;
    if (out != null) {
      try {
        out.append(line);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the trace file", e);
      }
    }
  }

  /** From now on {@link #event} also goes to {@code journal} (null: nowhere). */
  void journal(SimJournal journal) {
    this.journal = journal;
  }

  /** Whether events are journaled (callers skip building them otherwise). */
  boolean journaling() {
    return journal != null;
  }

  /**
   * Journals a structured event at simulated time {@code nanos} on {@code replica} (-1: a client
   * or the whole network). Not part of the digest: the text lines already say what happened.
   */
  void event(long nanos, int replica, Event event) {
    if (journal != null) {
      journal.add(nanos, replica, event);
    }
  }

  /** Number of lines recorded. */
  long lines() {
    return lines;
  }

  /** Hex SHA-256 of every line so far (the digest is not reset). */
  String digest() {
    try {
      MessageDigest copy = (MessageDigest) sha256.clone();
      return HexFormat.of().formatHex(copy.digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
    }
  }
}
