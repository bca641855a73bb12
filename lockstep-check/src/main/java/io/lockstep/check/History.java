package io.lockstep.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client history: the invocations and completions of operations, in the order they were
 * recorded, as input to the {@link LinearizabilityChecker}.
 *
 * <p>{@link #add} checks the shape of the history as it grows, so a recorder bug is reported at
 * the event that caused it: a process has at most one outstanding operation; a completion must
 * follow an invocation by the same process, of the same operation on the same key, not earlier in
 * time, and may repeat (but not contradict) the invocation's {@code value} and {@code expected}.
 * An invocation that never completes is allowed: it counts as {@code info} (outcome unknown).
 *
 * <p>The JSON-lines form ({@link #readJsonLines}, {@link #writeJsonLines}) has one {@link Op} per
 * line; see {@link Op} for the exact format. Not thread-safe: one recorder owns a history.
 */
public final class History {
  private final List<Op> ops = new ArrayList<>();
  /** The outstanding invocation of each process that has one. */
  private final Map<Integer, Op> outstanding = new HashMap<>();

  /** An empty history. */
  public History() {}

  /**
   * Appends one event.
   *
   * @throws IllegalArgumentException if the event breaks the pairing rules in the class comment;
   *     the history is then unchanged
   */
  public History add(Op op) {
    Objects.requireNonNull(op, "op");
    Op pending = outstanding.get(op.process());
    if (op.isInvoke()) {
      if (pending != null) {
        throw new IllegalArgumentException("process " + op.process() + " invoked " + describe(op)
            + " while its " + describe(pending) + " is still outstanding");
      }
      outstanding.put(op.process(), op);
    } else {
      checkCompletion(pending, op);
      outstanding.remove(op.process());
    }
    ops.add(op);
    return this;
  }

  private static void checkCompletion(Op invoke, Op completion) {
    if (invoke == null) {
      throw new IllegalArgumentException("process " + completion.process() + " completed "
          + describe(completion) + " without an outstanding invocation");
    }
    if (!invoke.f().equals(completion.f()) || !invoke.key().equals(completion.key())) {
      throw new IllegalArgumentException("process " + completion.process() + " completed "
          + describe(completion) + " but its outstanding invocation is " + describe(invoke));
    }
    if (completion.time() < invoke.time()) {
      throw new IllegalArgumentException("process " + completion.process() + " completed "
          + describe(completion) + " before it was invoked at time " + invoke.time());
    }
    boolean isRead = invoke.f().equals("read");
    if (!isRead && !agrees(invoke.value(), completion.value())
        || !agrees(invoke.expected(), completion.expected())) {
      throw new IllegalArgumentException("process " + completion.process() + " completed "
          + describe(completion) + " with value/expected other than its invocation's "
          + describe(invoke));
    }
  }

  /** A completion may leave a field null or repeat the invocation's value. */
  private static boolean agrees(String invoked, String completed) {
    return completed == null || completed.equals(invoked);
  }

  private static String describe(Op op) {
    return op.f() + " of key \"" + op.key() + "\" (" + op.type().json() + " at time " + op.time()
        + ")";
  }

  /** The events in the order they were added (an unmodifiable view). */
  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  /** Number of events. */
  public int size() {
    return ops.size();
  }

  /** One event as one line of JSON (no line terminator), in the exact format of {@link Op}. */
  public static String toJson(Op op) {
    return JsonLines.toJson(op);
  }

  /**
   * Parses one line of JSON in the exact format of {@link Op}.
   *
   * @throws HistoryFormatException (line number 1) if the line is malformed
   */
  public static Op fromJson(String line) {
    return JsonLines.parse(line, 1);
  }

  /**
   * Reads a JSON-lines history, one event per line; blank lines are skipped. The reader is not
   * closed.
   *
   * @throws HistoryFormatException with the 1-based line number of the first malformed line or
   *     of the first event that breaks the pairing rules of {@link #add}
   * @throws UncheckedIOException if reading fails
   */
  public static History readJsonLines(Reader reader) {
    Objects.requireNonNull(reader, "reader");
    History history = new History();
    BufferedReader lines = new BufferedReader(reader);
    int lineNumber = 0;
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        lineNumber++;
        if (!line.isBlank()) {
          history.addParsed(JsonLines.parse(line, lineNumber), lineNumber);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading history failed after line " + lineNumber, e);
    }
    return history;
  }

  private void addParsed(Op op, int lineNumber) {
    try {
      add(op);
    } catch (IllegalArgumentException e) {
      throw new HistoryFormatException(lineNumber, e.getMessage());
    }
  }

  /**
   * Writes this history as JSON lines, one event per line, each terminated by {@code '\n'}; the
   * writer is flushed, not closed.
   *
   * @throws UncheckedIOException if writing fails
   */
  public void writeJsonLines(Writer writer) {
    Objects.requireNonNull(writer, "writer");
    try {
      for (Op op : ops) {
        writer.write(JsonLines.toJson(op));
        writer.write('\n');
      }
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing history failed", e);
    }
  }

  @Override
  public String toString() {
    return "History[" + ops.size() + " events, " + outstanding.size() + " outstanding]";
  }
}
