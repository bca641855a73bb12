package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The runtime's log thread: takes the storage writes of each Ready from the replica's loop thread,
 * and makes many of them durable with one fsync (group commit, X3).
 *
 * <p>One thread drains everything queued, writes it in submission order, syncs once, then runs each
 * submission's {@code onDurable} callback in submission order. A callback therefore runs only after
 * its writes, and every earlier submission's writes, are durable: the runtime sends messages and
 * acknowledges requests from there, never before (an acknowledgement that precedes the fsync lost
 * acknowledged writes in real systems).
 *
 * <p>Back-pressure, not death: the queue holds at most {@link Options#capacity()} submissions.
 * When it is full, {@link #submit} waits for room for as long as the log runs, so a slow or
 * stalled disk slows the loop thread down instead of failing writes the protocol already counts
 * on; the loop's own queue then fills and clients are answered "busy", which they retry.
 * {@link #congested()} lets a runtime shed client work earlier, and {@link #stalledNanos()}
 * says how long the disk has been busy with the current group commit (for health reports).
 *
 * <p>Failure: the first exception from the storage (or from a callback) stops the log for good
 * and is reported once to the failure listener; queued submissions are dropped without their
 * callbacks, later submits throw {@link LogStoppedException}, and nothing is retried: after a
 * failed fsync the page cache may claim data the device lost.
 *
 * <p>Callbacks run on the log thread and must be short (typically: post an event to the loop
 * thread). The log does not own the storage: close the log, then the storage — unless
 * {@link #close()} gave up on a stuck disk ({@link #stopped()} is false), since the log thread
 * may then still be inside a storage call. Submit and close from one thread, or stop submitting
 * before closing; a submission racing with close may be dropped.
 */
public final class GroupCommitLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GroupCommitLog.class.getName());
  private static final Submission STOP = new Submission(List.of(), () -> { }, null);

  /** How long {@link #submit} waits between two checks that the log still runs. */
  private static final long WAIT_SLICE_NANOS = 10_000_000L;
  /** A submit that waited this long for room is logged: the disk is slower than the load. */
  private static final long SLOW_WAIT_NANOS = 1_000_000_000L;

  /**
   * Tuning.
   *
   * @param capacity most submissions queued at once; half of it is {@link #congested()}
   * @param closeTimeout how long {@link #close()} waits for the log thread to finish before it
   *     gives up on a stuck disk
   */
  public record Options(int capacity, Duration closeTimeout) {
    public Options {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive, was " + capacity);
      }
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
      }
    }

    /** 4096 submissions, five seconds to close. */
    public static Options defaults() {
      return new Options(4096, Duration.ofSeconds(5));
    }
  }

  private record Submission(List<StorageWrite> writes, Runnable onDurable, EntriesRead read) {}

  /**
   * The outcome of {@link #read}: the entries read back, or (with {@code failure} set) why
   * none could be.
   */
  public record ReadOutcome(List<LogEntry> entries, String failure) {
    public ReadOutcome {
      entries = List.copyOf(entries);
    }
  }

  /** A read of stored entries, carried out on the log thread in submission order. */
  private record EntriesRead(long from, long to, long maxBytes, Consumer<ReadOutcome> onRead) {
    /** Reads, turning any failure into an outcome: a failed read never stops the log. */
    ReadOutcome perform(StableStorage storage) {
      ReadOutcome outcome;
      try {
        outcome = new ReadOutcome(storage.readEntries(from, to, maxBytes), null);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "event=log_read_failed from=" + from + " to=" + to
            + " reason=\"" + e.getMessage() + "\"");
        outcome = new ReadOutcome(List.of(), e.getClass().getSimpleName() + ": "
            + e.getMessage());
      }
      return outcome;
    }
  }

  private final StableStorage storage;
  private final Options options;
  private final Consumer<Throwable> onFailure;
  private final BlockingQueue<Submission> queue;
  private final Thread thread;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong slowSubmits = new AtomicLong();
  private final AtomicLong entriesRead = new AtomicLong();
  private final AtomicLong readsFailed = new AtomicLong();
  private volatile int largestBatch;
  /** System.nanoTime() when the current group commit began, or 0 while the thread waits. */
  private volatile long commitStarted;
  private volatile Throwable failure;
  private volatile boolean closing;

  private GroupCommitLog(StableStorage storage, Options options, Consumer<Throwable> onFailure) {
    this.storage = storage;
    this.options = options;
    this.onFailure = onFailure;
    this.queue = new ArrayBlockingQueue<>(options.capacity());
    this.thread = new Thread(this::run, "lockstep-log");
    // A thread stuck in a system call on a dead disk must not keep the process alive after
    // close() gave up on it; nothing it could still write was acknowledged.
    thread.setDaemon(true);
  }

  /**
   * Starts the log thread over {@code storage}, which must already be recovered.
   *
   * @param onFailure called once, on the log thread, with the error that stopped the log
   */
  public static GroupCommitLog start(StableStorage storage, Options options,
      Consumer<Throwable> onFailure) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(onFailure, "onFailure");
    GroupCommitLog log = new GroupCommitLog(storage, options, onFailure);
    log.thread.start();
    return log;
  }

  /**
   * Queues {@code writes} (possibly empty) to be made durable, then {@code onDurable} to run.
   * A submission without writes still waits for every earlier one. When the queue is full this
   * waits for room as long as the log runs (back-pressure on the caller).
   *
   * @throws LogStoppedException if the log was closed or stopped by a failure, before or while
   *     waiting; the submission is then not queued
   */
  public void submit(List<StorageWrite> writes, Runnable onDurable) {
    enqueue(new Submission(List.copyOf(writes), Objects.requireNonNull(onDurable, "onDurable"),
        null));
  }

  /**
   * Queues a read of the stored entries from {@code from} to at most {@code to}, within about
   * {@code maxBytes} ({@link StableStorage#readEntries}), after every submission queued before
   * it, so it sees their writes. {@code onRead} runs on the log thread with the entries or the
   * reason there are none (a disk error, damage): a failed read does not stop the log, and
   * the reads share its thread rather than racing with its appends and compaction. Waits for
   * room as {@link #submit} does.
   *
   * @throws LogStoppedException if the log was closed or stopped by a failure
   */
  public void read(long from, long to, long maxBytes, Consumer<ReadOutcome> onRead) {
    enqueue(new Submission(List.of(), () -> { }, new EntriesRead(from, to, maxBytes,
        Objects.requireNonNull(onRead, "onRead"))));
  }

  private void enqueue(Submission submission) {
    checkRunning();
    long start = System.nanoTime();
    boolean warned = false;
    try {
      while (!queue.offer(submission, WAIT_SLICE_NANOS, TimeUnit.NANOSECONDS)) {
        checkRunning();
        if (!warned && System.nanoTime() - start > SLOW_WAIT_NANOS) {
          warned = true;
          slowSubmits.incrementAndGet();
          LOG.log(Level.WARNING, "The log queue has been full (" + options.capacity()
              + " submissions) for over a second: the disk is slower than the offered load;"
              + " waiting for it (back-pressure)");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogStoppedException("interrupted while waiting for room in the log queue", e);
    }
    checkRunning();
  }

  private void checkRunning() {
    Throwable cause = failure;
    if (cause != null) {
      throw new LogStoppedException("the log stopped after a storage failure: " + cause, cause);
    }
    if (closing) {
      throw new LogStoppedException("the log is closed", null);
    }
  }

  private void run() {
    List<Submission> batch = new ArrayList<>();
    while (true) {
      Submission first = takeUninterruptibly();
      if (first == STOP) {
        return;
      }
      batch.add(first);
      queue.drainTo(batch);
      boolean stop = batch.remove(STOP);
      if (!commit(batch)) {
        return;
      }
      batch.clear();
      if (stop) {
        return;
      }
    }
  }

  /** Writes, syncs once, then runs the callbacks; returns false if the log stopped. */
  private boolean commit(List<Submission> batch) {
    commitStarted = Math.max(1, System.nanoTime());
    try {
      for (Submission submission : batch) {
        storage.write(submission.writes());
        if (submission.read() != null) {
          ReadOutcome outcome = submission.read().perform(storage);
          entriesRead.addAndGet(outcome.entries().size());
          readsFailed.addAndGet(outcome.failure() != null ? 1 : 0);
          submission.read().onRead().accept(outcome);
        }
      }
      storage.sync();
      for (Submission submission : batch) {
        submission.onDurable().run();
      }
    } catch (Throwable t) {
      stop(t);
      return false;
    } finally {
      commitStarted = 0;
    }
    completed.addAndGet(batch.size());
    batches.incrementAndGet();
    largestBatch = Math.max(largestBatch, batch.size());
    return true;
  }

  private void stop(Throwable cause) {
    failure = cause;
    queue.clear();
    LOG.log(Level.ERROR, "The log stopped: stable storage failed; the replica must stop", cause);
    try {
      onFailure.accept(cause);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "The log's failure listener threw", e);
    }
  }

  private Submission takeUninterruptibly() {
    // Interrupts are ignored, never used to stop this thread: an interrupt during file I/O
    // closes the storage's FileChannels. close() stops it with a STOP submission instead, or,
    // when the queue was too full for one, by the closing flag once the queue is empty.
    while (true) {
      try {
        Submission next = queue.poll(WAIT_SLICE_NANOS, TimeUnit.NANOSECONDS);
        if (next != null) {
          return next;
        }
        if (closing && queue.isEmpty()) {
          return STOP;
        }
      } catch (InterruptedException e) {
        LOG.log(Level.WARNING, "Ignored an interrupt of the log thread; use close() to stop it");
      }
    }
  }

  /** Submissions waiting in the queue. */
  public int queued() {
    return queue.size();
  }

  /** Submissions whose callbacks ran. */
  public long completed() {
    return completed.get();
  }

  /** Group commits done: each wrote a batch of submissions and synced once. */
  public long batches() {
    return batches.get();
  }

  /** Most submissions made durable by one sync so far. */
  public int largestBatch() {
    return largestBatch;
  }

  /**
   * True once half the queue is taken: the disk lags behind the offered load, and a runtime
   * should refuse new client work (answer "busy") before the queue fills and blocks it.
   */
  public boolean congested() {
    return queue.size() >= Math.max(1, options.capacity() / 2);
  }

  /** How long the current group commit has been writing and syncing, or 0 when none runs. */
  public long stalledNanos() {
    long started = commitStarted;
    return started == 0 ? 0 : System.nanoTime() - started;
  }

  /** Log entries read back for the protocol ({@link #read}). */
  public long entriesRead() {
    return entriesRead.get();
  }

  /** Reads of log entries that failed (a disk error, damage). */
  public long readsFailed() {
    return readsFailed.get();
  }

  /** Submits that waited over a second for room in a full queue. */
  public long slowSubmits() {
    return slowSubmits.get();
  }

  /** True once the log thread has ended (after {@link #close()} or a failure). */
  public boolean stopped() {
    return !thread.isAlive();
  }

  /** The error that stopped the log, or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  /**
   * Makes every submission queued so far durable, runs its callback, and stops the thread.
   * Does not close the storage. Waits at most {@link Options#closeTimeout()}, even if
   * interrupted (then restores the interrupt): a disk stuck in a write or fsync cannot make it
   * hang. If the thread is still inside a storage call then, this logs an error and returns with
   * {@link #stopped()} false; what was still queued is never acknowledged.
   */
  @Override
  public void close() {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException("close() called from a callback on the log thread itself");
    }
    closing = true;
    long deadline = System.nanoTime() + options.closeTimeout().toNanos();
    boolean interrupted = false;
    boolean stopQueued = false;
    long left;
    while (thread.isAlive() && (left = deadline - System.nanoTime()) > 0) {
      try {
        if (stopQueued) {
          TimeUnit.NANOSECONDS.timedJoin(thread, left);
        } else {
          // A full queue has room soon: the log thread is draining it (or has stopped).
          stopQueued = queue.offer(STOP, Math.min(left, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (thread.isAlive()) {
      LOG.log(Level.ERROR, "Gave up closing the log after " + options.closeTimeout().toMillis()
          + " ms: its thread has been inside a disk call for " + stalledNanos() / 1_000_000
          + " ms (a stuck disk). Nothing it still holds was acknowledged; leave its storage"
          + " open and stop the process.");
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
