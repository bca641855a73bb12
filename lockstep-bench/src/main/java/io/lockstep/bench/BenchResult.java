package io.lockstep.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one measured window: successful operations, throughput, latency percentiles in
 * microseconds (from an HdrHistogram with 3 significant digits), and failed operations counted by
 * error type.
 *
 * @param ops successful operations completed in the window
 * @param opsPerSecond {@code ops} divided by the window's length
 * @param p50Micros median latency
 * @param p99Micros 99th percentile latency
 * @param p999Micros 99.9th percentile latency
 * @param maxMicros largest latency
 * @param errors failed operations by error type (sorted by type; empty when none failed)
 * @param latencies the full latency distribution in microseconds (a private copy)
 */
public record BenchResult(
    long ops,
    double opsPerSecond,
    long p50Micros,
    long p99Micros,
    long p999Micros,
    long maxMicros,
    Map<String, Long> errors,
    Histogram latencies) {

  private static final int SIGNIFICANT_DIGITS = 3;
  private static final double MICROS_PER_MILLI = 1000.0;

  /** Validates and copies: the result is immutable even though a histogram is not. */
  public BenchResult {
    if (ops < 0 || !(opsPerSecond >= 0)) {
      throw new IllegalArgumentException(
          "ops and opsPerSecond must be non-negative, got " + ops + " and " + opsPerSecond);
    }
    if (p50Micros < 0 || p99Micros < p50Micros || p999Micros < p99Micros || maxMicros < p999Micros) {
      throw new IllegalArgumentException("percentiles must be non-negative and non-decreasing: p50 "
          + p50Micros + ", p99 " + p99Micros + ", p99.9 " + p999Micros + ", max " + maxMicros);
    }
    Objects.requireNonNull(errors, "errors must not be null");
    errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    latencies = Objects.requireNonNull(latencies, "latencies must not be null").copy();
  }

  /** A result without a latency distribution (for figures taken from elsewhere). */
  public BenchResult(long ops, double opsPerSecond, long p50Micros, long p99Micros,
      long p999Micros, long maxMicros, Map<String, Long> errors) {
    this(ops, opsPerSecond, p50Micros, p99Micros, p999Micros, maxMicros, errors,
        new Histogram(SIGNIFICANT_DIGITS));
  }

  /** The result of {@code ops} operations in {@code seconds} with these latencies (µs). */
  public static BenchResult of(long ops, double seconds, Histogram latencies,
      Map<String, Long> errors) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("seconds must be positive, got " + seconds);
    }
    return new BenchResult(ops, ops / seconds,
        latencies.getValueAtPercentile(50.0), latencies.getValueAtPercentile(99.0),
        latencies.getValueAtPercentile(99.9), latencies.getMaxValue(), errors, latencies);
  }

  /** A copy of the latency distribution in microseconds. */
  @Override
  public Histogram latencies() {
    return latencies.copy();
  }

  /** Failed operations of all types. */
  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** A human-readable table of the figures. */
  public String report() {
    StringBuilder out = new StringBuilder();
    row(out, "operations", String.format(Locale.ROOT, "%,d", ops));
    row(out, "throughput", String.format(Locale.ROOT, "%,.1f ops/s", opsPerSecond));
    row(out, "latency p50", millis(p50Micros));
    row(out, "latency p99", millis(p99Micros));
    row(out, "latency p99.9", millis(p999Micros));
    row(out, "latency max", millis(maxMicros));
    row(out, "errors", errors.isEmpty() ? "none" : errorSummary());
    return out.toString();
  }

  /** HdrHistogram's percentile distribution of the latencies, in milliseconds. */
  public String histogram() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      out.println("latency distribution (values in ms)");
      latencies.outputPercentileDistribution(out, 5, MICROS_PER_MILLI);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * Two results side by side with the ratio {@code a / b} of each figure; for throughput a ratio
   * above 1 means {@code a} is faster, for latencies a ratio below 1 means {@code a} is faster.
   */
  public static String compare(String nameA, BenchResult a, String nameB, BenchResult b) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-14s %16s %16s %10s%n", "", nameA, nameB,
        "ratio"));
    compareRow(out, "throughput/s", a.opsPerSecond, b.opsPerSecond, "%,.1f");
    compareRow(out, "p50 ms", a.p50Micros / MICROS_PER_MILLI, b.p50Micros / MICROS_PER_MILLI, "%.3f");
    compareRow(out, "p99 ms", a.p99Micros / MICROS_PER_MILLI, b.p99Micros / MICROS_PER_MILLI, "%.3f");
    compareRow(out, "p99.9 ms", a.p999Micros / MICROS_PER_MILLI, b.p999Micros / MICROS_PER_MILLI,
        "%.3f");
    compareRow(out, "max ms", a.maxMicros / MICROS_PER_MILLI, b.maxMicros / MICROS_PER_MILLI, "%.3f");
    compareRow(out, "errors", a.errorCount(), b.errorCount(), "%,.0f");
    return out.toString();
  }

  private static void compareRow(StringBuilder out, String label, double a, double b,
      String format) {
    String ratio = b == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    out.append(String.format(Locale.ROOT, "%-14s %16s %16s %10s%n", label,
        String.format(Locale.ROOT, format, a), String.format(Locale.ROOT, format, b), ratio));
  }

  private String errorSummary() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d (", errorCount()));
    String separator = "";
    for (Map.Entry<String, Long> e : errors.entrySet()) {
      out.append(separator).append(e.getKey()).append(' ').append(e.getValue());
      separator = ", ";
    }
    return out.append(')').toString();
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "%-14s %s%n", label, value));
  }

  private static String millis(long micros) {
    return String.format(Locale.ROOT, "%.3f ms", micros / MICROS_PER_MILLI);
  }
}
