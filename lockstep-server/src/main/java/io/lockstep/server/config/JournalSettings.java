package io.lockstep.server.config;

/**
 * How much event journal a replica keeps (docs/ARCHITECTURE.md, "The event journal"): files of
 * about {@code maxFileBytes}, the newest {@code files} of them, so at most their product on disk
 * per replica. Keys {@code journal.enabled} (default true), {@code journal.max-file-bytes}
 * (default 8 MiB) and {@code journal.files} (default 8). The environment variable
 * {@value #ENVIRONMENT}{@code =off} turns the journal off whatever the file says, so a
 * measurement can switch it without editing the file.
 *
 * @param enabled whether the replica journals at all
 * @param maxFileBytes bytes after which a new file starts, at least {@value #MIN_FILE_BYTES}
 *     (one encoder block, so a file holds at least one) and at most {@value #MAX_FILE_BYTES}
 * @param files how many files are kept, 1 to {@value #MAX_FILES}
 */
public record JournalSettings(boolean enabled, long maxFileBytes, int files) {
  /** On, 8 files of 8 MiB: the most recent stretch of a replica's life in at most 64 MiB. */
  public static final JournalSettings DEFAULTS = new JournalSettings(true, 8L << 20, 8);
  /** The environment variable that turns every journal of a process off. */
  public static final String ENVIRONMENT = "LOCKSTEP_JOURNAL";
  /** Smallest file: one 64 KiB block of the binary format. */
  public static final long MIN_FILE_BYTES = 64L << 10;
  /** Largest file: 1 GiB (a larger value is a typo for a journal meant for looking). */
  public static final long MAX_FILE_BYTES = 1L << 30;
  /** Most files kept. */
  public static final int MAX_FILES = 10_000;

  public JournalSettings {
    if (maxFileBytes < MIN_FILE_BYTES || maxFileBytes > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("journal.max-file-bytes must be between "
          + MIN_FILE_BYTES + " and " + MAX_FILE_BYTES + ", was " + maxFileBytes);
    }
    if (files < 1 || files > MAX_FILES) {
      throw new IllegalArgumentException("journal.files must be between 1 and " + MAX_FILES
          + ", was " + files);
    }
  }

  /** Whether {@value #ENVIRONMENT}{@code =off} is set in this process's environment. */
  public static boolean offByEnvironment() {
    return "off".equalsIgnoreCase(System.getenv(ENVIRONMENT));
  }

  /**
   * Whether {@value #ENVIRONMENT}{@code =switchable} is set: the journal is on, and pauses while
   * a file {@code paused} exists in its directory (for measuring its cost in one run, see
   * docs/BENCHMARKS.md; not meant for production, where the journal is for looking back).
   */
  public static boolean switchableByEnvironment() {
    return "switchable".equalsIgnoreCase(System.getenv(ENVIRONMENT));
  }
}
