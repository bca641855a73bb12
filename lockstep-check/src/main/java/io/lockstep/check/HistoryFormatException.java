package io.lockstep.check;

/**
 * A JSON-lines history is malformed: the message names the 1-based line (and, for syntax errors,
 * the column) and what is wrong with it.
 */
public final class HistoryFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The 1-based line of the input that is malformed. */
  private final int lineNumber;

  /** A malformed line; {@code problem} says what is wrong in words a user can act on. */
  public HistoryFormatException(int lineNumber, String problem) {
    super("line " + lineNumber + ": " + problem);
    this.lineNumber = lineNumber;
  }

  /** The 1-based line of the input that is malformed. */
  public int lineNumber() {
    return lineNumber;
  }
}
