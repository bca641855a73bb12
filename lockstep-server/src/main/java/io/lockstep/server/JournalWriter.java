package io.lockstep.server;

import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.journal.JournalEncoder;
import io.lockstep.journal.JournalRing;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A process's event journal on disk: events go into a bounded {@link JournalRing} on the thread
 * that sees them, and a writer thread moves them every 200 ms into rolling
 * binary {@link JournalFiles} ({@link io.lockstep.journal.JournalFormat}), so the recording
 * thread never waits for a disk and never formats anything. If the writer falls behind, the ring
 * overwrites its oldest events and the file says how many were lost. A replica ({@link
 * ServerJournal}) and a client ({@link io.lockstep.client.ClientJournal}) each keep one.
 *
 * <p>Times are nanoseconds since the epoch on one monotonic clock per process (the wall clock at
 * start plus the monotonic time since), so events never go backwards in a file and processes on
 * one machine line up in a merged timeline.
 */
public final class JournalWriter implements Journal, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(JournalWriter.class.getName());
  /**
   * Milliseconds between drains: 200, or the system property {@code lockstep.journal.drain-millis}
   * (tests set it long, so that whatever they find in the files only a close can have written).
   */
  static final long DRAIN_MILLIS = Long.getLong("lockstep.journal.drain-millis", 200);
  /** Events the ring holds between drains: 131,072 (about 3 MiB of references and stamps). */
  public static final int RING_CAPACITY = 1 << 17;

  private final String name;
  private final JournalRing ring;
  private final JournalFiles files;
  private final ScheduledExecutorService writer;
  /** One origin per process, so the journals of one process (replica, client) line up exactly. */
  private static final long ORIGIN_EPOCH_NANOS = System.currentTimeMillis() * 1_000_000L;
  private static final long ORIGIN_NANOS = System.nanoTime();
  private final JournalEncoder encoder = new JournalEncoder();
  /** Made once: a drain hands every event straight to the encoder. */
  private final JournalRing.Sink toEncoder = encoder::add;
  private long lostReported;
  /** While this file exists the journal is paused ({@link #pausedBy}); null: never paused. */
  private volatile Path pauseFile;
  private volatile boolean paused;

  /**
   * A journal of {@code ring}'s events into {@code files} (null: a ring no one drains, for
   * measurements), named {@code name} in its thread and its log lines.
   */
  JournalWriter(String name, JournalRing ring, JournalFiles files) {
    this.name = name;
    this.ring = ring;
    this.files = files;
    this.writer = files == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lockstep-journal-" + name);
      t.setDaemon(true);
      return t;
    });
    if (writer != null) {
      writer.scheduleWithFixedDelay(this::drain, DRAIN_MILLIS, DRAIN_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A journal in {@code dir} of files of about {@code maxFileBytes}, the newest {@code maxFiles}
   * kept.
   */
  public static JournalWriter start(String name, Path dir, long maxFileBytes, int maxFiles)
      throws IOException {
    return new JournalWriter(name, new JournalRing(RING_CAPACITY),
        new JournalFiles(dir, maxFileBytes, maxFiles));
  }

  /**
   * Makes this journal switchable at run time, for measuring its cost in one run: while {@code
   * file} exists it is paused ({@link #recording} is false, so callers build and record nothing).
   * The writer thread looks for the file at every drain (every {@link #DRAIN_MILLIS} ms), so a
   * switch takes effect within one drain period and costs one file lookup per drain. A separate
   * cluster per setting cannot resolve a few per cent: its throughput follows the disk's fsync
   * time, which drifts more than that between runs (docs/BENCHMARKS.md).
   */
  public JournalWriter pausedBy(Path file) {
    this.pauseFile = file;
    checkPause();
    return this;
  }

  @Override
  public boolean recording() {
    return !paused;
  }

  private void checkPause() {
    Path file = pauseFile;
    if (file == null) {
      return;
    }
    boolean now = Files.exists(file);
    if (now != paused) {
      paused = now;
      LOG.log(Level.INFO, "event=journal_" + (now ? "paused" : "resumed") + " journal=" + name
          + " file=" + file);
    }
  }

  /** Now, on this journal's clock (nanoseconds since the epoch, never going backwards). */
  public long now() {
    return ORIGIN_EPOCH_NANOS + (System.nanoTime() - ORIGIN_NANOS);
  }

  @Override
  public void record(int replica, Event event) {
    ring.add(now(), replica, event);
  }

  /** Moves what the ring holds to the files (the writer thread, and close). */
  synchronized void drain() {
    try {
      checkPause();
      long lost = ring.overwritten();
      // The loss is noted before the events that survived it: they follow the gap.
      if (lost > lostReported) {
        encoder.lost(lost - lostReported);
        lostReported = lost;
      }
      ring.drainTo(toEncoder);
      if (encoder.pendingBytes() > 0) {
        encoder.flush(files::append);
      }
    } catch (IOException | RuntimeException e) {
      // The journal is for looking: a full disk must not stop the process, which the log's own
      // failure handling does if the disk really is gone.
      LOG.log(Level.WARNING, "event=journal_write_failed journal=" + name + " reason=\""
          + e.getMessage() + "\"");
    }
  }

  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    writer.shutdown();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
    try {
      files.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "event=journal_close_failed journal=" + name + " reason=\""
          + e.getMessage() + "\"");
    }
  }
}
