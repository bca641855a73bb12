package io.lockstep.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stable storage holds damage that a crash cannot explain and from which nothing safe can be
 * kept (a gap in the log, a record that does not decode, a missing segment, a corrupt snapshot
 * that nothing can replace), so the replica refuses to start rather than forget or invent data it
 * may have promised to others (X1; a corrupted replica must not delete committed data). A bad
 * record with a readable prefix before it is not refused: it is reported to the protocol as {@link
 * io.lockstep.order.Recovered.Damage} for repair from peers.
 *
 * <p>The message names the file, the byte offset when there is one, what was wrong, and what an
 * operator can do.
 */
public final class CorruptStorageException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What an operator can do; the same for every kind of damage. */
  static final String ADVICE = "Lockstep refuses to start on damaged storage rather than lose or"
      + " invent data it may have acknowledged. Do not wipe the directory or copy another"
      + " replica's over it: a wiped replica forgets its votes and the entries a leader counted"
      + " on it. Leave this replica down (the others keep serving while a majority is healthy)"
      + " or restore its directory from a block-level copy taken while it was stopped; keep the"
      + " damaged directory for diagnosis.";

  private final transient Path file;
  private final long offset;
  private final String problem;

  /** Damage at byte {@code offset} of {@code file}. */
  CorruptStorageException(Path file, long offset, String problem) {
    super(file + " at byte offset " + offset + ": " + problem + ". " + ADVICE);
    this.file = file;
    this.offset = offset;
    this.problem = problem;
  }

  /** Damage to a whole file or to the set of files; {@code file} may be the directory. */
  CorruptStorageException(Path file, String problem) {
    super(file + ": " + problem + ". " + ADVICE);
    this.file = file;
    this.offset = -1;
    this.problem = problem;
  }

  /** What was wrong, without the location and the advice. */
  String problem() {
    return problem;
  }

  /** The damaged file (or the data directory when the damage is a missing file). */
  public Path file() {
    return file;
  }

  /** Byte offset of the damage in {@link #file()}, or -1 when it concerns the whole file. */
  public long offset() {
    return offset;
  }
}
