package io.lockstep.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Thread-safe tallies of one run: completions are counted and their latencies recorded only when
 * they complete inside the measured window [{@code windowStart}, {@code windowEnd}) of
 * {@code System.nanoTime()} values, so warmup and drain never leak into the figures.
 *
 * <p>Completions arrive on whatever thread completes a target's future; the HdrHistogram
 * {@link Recorder} is wait-free for concurrent writers, so recording never blocks a target's I/O
 * thread.
 */
final class Measurement {

  private static final int SIGNIFICANT_DIGITS = 3;

  private final long windowStart;
  private final long windowEnd;
  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
  private final LongAdder opsInWindow = new LongAdder();
  private final LongAdder completedTotal = new LongAdder();
  private final LongAdder errorsTotal = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, LongAdder> errorsInWindow = new ConcurrentHashMap<>();

  Measurement(long windowStart, long windowEnd) {
    if (windowEnd <= windowStart) {
      throw new IllegalArgumentException(
          "measured window is empty: start " + windowStart + ", end " + windowEnd);
    }
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  long windowStart() {
    return windowStart;
  }

  long windowEnd() {
    return windowEnd;
  }

  /** Notes that an operation was handed to the target. */
  void issued() {
    inFlight.incrementAndGet();
  }

  /** Records a successful operation that started at {@code start} and ended at {@code end}. */
  void success(long start, long end) {
    inFlight.decrementAndGet();
    completedTotal.increment();
    if (inWindow(end)) {
      opsInWindow.increment();
      recorder.recordValue(Math.max(0, (end - start) / 1_000));
    }
  }

  /** Counts a failed operation under its error type (the root cause's simple class name). */
  void failure(Throwable error, long end) {
    inFlight.decrementAndGet();
    errorsTotal.increment();
    if (inWindow(end)) {
      errorsInWindow.computeIfAbsent(errorType(error), k -> new LongAdder()).increment();
    }
  }

  /** Counts operations that never completed, under {@code type}, as errors of the window. */
  void abandoned(String type, long count) {
    if (count > 0) {
      errorsInWindow.computeIfAbsent(type, k -> new LongAdder()).add(count);
    }
  }

  long completedTotal() {
    return completedTotal.sum();
  }

  /** Operations handed to the target and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  long errorsTotal() {
    return errorsTotal.sum();
  }

  /** The figures of the measured window; call once, after every client has stopped. */
  BenchResult result() {
    Histogram latencies = recorder.getIntervalHistogram();
    Map<String, Long> errors = new TreeMap<>();
    errorsInWindow.forEach((type, n) -> errors.put(type, n.sum()));
    double seconds = Duration.ofNanos(windowEnd - windowStart).toNanos() / 1e9;
    return BenchResult.of(opsInWindow.sum(), seconds, latencies, errors);
  }

  private boolean inWindow(long t) {
    return t - windowStart >= 0 && t - windowEnd < 0;
  }

  /** Unwraps the wrappers that futures add, so the type names the real failure. */
  static String errorType(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }
}
