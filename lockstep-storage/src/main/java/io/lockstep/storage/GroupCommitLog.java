package io.lockstep.storage;

import io.lockstep.order.StorageWrite;
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
 * The runtime's log thread (DESIGN.md §4): takes the storage writes of each Ready from the
 * replica's loop thread, and makes many of them durable with one fsync (group commit, X3).
 *
 * <p>One thread drains everything queued, writes it in submission order, syncs once, then runs
 * each submission's {@code onDurable} callback in submission order. A callback therefore runs
 * only after its writes, and every earlier submission's writes, are durable: the runtime sends
 * messages and acknowledges requests from there, never before (FAULTS.md 9).
 *
 * <p>Back-pressure: the queue holds at most {@link Options#capacity()} submissions. When it is
 * full, {@link #submit} waits up to {@link Options#submitTimeout()} and then throws
 * {@link LogFullException}. Waiting (rather than failing at once) lets a short disk stall slow
 * the loop thread down instead of failing writes the protocol already counts on; the timeout
 * turns a stuck disk into a clear error. {@link #queued()} lets a runtime shed client load
 * before the queue fills.
 *
 * <p>Failure: the first exception from the storage (or from a callback) stops the log for good
 * and is reported once to the failure listener; queued submissions are dropped without their
 * callbacks, later submits throw {@link LogStoppedException}, and nothing is retried: after a
 * failed fsync the page cache may claim data the device lost (DESIGN.md §6).
 *
 * <p>Callbacks run on the log thread and must be short (typically: post an event to the loop
 * thread). The log does not own the storage: close the log, then the storage. Submit and close
 * from one thread, or stop submitting before closing; a submission racing with close may be
 * dropped.
 */
public final class GroupCommitLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GroupCommitLog.class.getName());
  private static final Submission STOP = new Submission(List.of(), () -> { });

  /**
   * Tuning.
   *
   * @param capacity most submissions queued at once
   * @param submitTimeout how long {@link #submit} waits for room in a full queue
   */
  public record Options(int capacity, Duration submitTimeout) {
    public Options {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive, was " + capacity);
      }
      Objects.requireNonNull(submitTimeout, "submitTimeout");
      if (submitTimeout.isNegative()) {
        throw new IllegalArgumentException("submitTimeout must not be negative: " + submitTimeout);
      }
    }

    /** 4096 submissions, one second. */
    public static Options defaults() {
      return new Options(4096, Duration.ofSeconds(1));
    }
  }

  private record Submission(List<StorageWrite> writes, Runnable onDurable) {}

  private final StableStorage storage;
  private final Options options;
  private final Consumer<Throwable> onFailure;
  private final BlockingQueue<Submission> queue;
  private final Thread thread;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private volatile int largestBatch;
  private volatile Throwable failure;
  private volatile boolean closing;

  private GroupCommitLog(StableStorage storage, Options options, Consumer<Throwable> onFailure) {
    this.storage = storage;
    this.options = options;
    this.onFailure = onFailure;
    this.queue = new ArrayBlockingQueue<>(options.capacity());
    this.thread = new Thread(this::run, "lockstep-log");
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
   * A submission without writes still waits for every earlier one.
   *
   * @throws LogFullException if the queue stayed full for the submit timeout
   * @throws LogStoppedException if the log was closed or stopped by a failure
   */
  public void submit(List<StorageWrite> writes, Runnable onDurable) {
    Submission submission = new Submission(List.copyOf(writes),
        Objects.requireNonNull(onDurable, "onDurable"));
    checkRunning();
    boolean queuedInTime;
    try {
      queuedInTime = queue.offer(submission, options.submitTimeout().toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogFullException("interrupted while waiting for room in the log queue");
    }
    if (!queuedInTime) {
      throw new LogFullException("the log queue stayed full (" + options.capacity()
          + " submissions) for " + options.submitTimeout().toMillis() + " ms: the disk is"
          + " slower than the offered load");
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
    try {
      for (Submission submission : batch) {
        storage.write(submission.writes());
      }
      storage.sync();
      for (Submission submission : batch) {
        submission.onDurable().run();
      }
    } catch (Throwable t) {
      stop(t);
      return false;
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
    // closes the storage's FileChannels. close() stops it with a STOP submission instead.
    while (true) {
      try {
        return queue.take();
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

  /** The error that stopped the log, or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  /**
   * Makes every submission queued so far durable, runs its callback, and stops the thread.
   * Does not close the storage. Waits for the thread even if interrupted, then restores the
   * interrupt.
   */
  @Override
  public void close() {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException("close() called from a callback on the log thread itself");
    }
    closing = true;
    boolean interrupted = false;
    boolean stopQueued = false;
    while (thread.isAlive()) {
      try {
        if (stopQueued) {
          thread.join();
        } else {
          // A full queue has room soon: the log thread is draining it (or has stopped).
          stopQueued = queue.offer(STOP, 10, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
