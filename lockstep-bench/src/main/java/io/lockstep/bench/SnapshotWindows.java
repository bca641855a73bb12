package io.lockstep.bench;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Splits operation latencies into those that overlapped a snapshot and the rest, so that the
 * cost of a snapshot shows in its own p99 instead of being averaged into a whole run's.
 *
 * <p>A snapshot's interval comes from a replica's log: the line {@code event=snapshot_stored
 * ... millis=M} is written when the snapshot thread has made the snapshot durable, M
 * milliseconds after it started streaming it, so the snapshot ran from the line's time minus M
 * to the line's time. The capture on the loop thread just before is not in M; it is short
 * (references to the state, no copy), and an operation that waited for it overlaps the interval
 * anyway unless it ended in that instant.
 */
public final class SnapshotWindows {
  private static final Pattern STORED = Pattern.compile(
      "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3})Z? .*event=snapshot_stored "
          + "replica=(\\d+) (?:.* )?millis=(\\d+)");
  private static final int SIGNIFICANT_DIGITS = 3;

  private final List<Interval> snapshots;
  private final Histogram during = new Histogram(SIGNIFICANT_DIGITS);
  private final Histogram outside = new Histogram(SIGNIFICANT_DIGITS);

  /**
   * When one snapshot ran, in epoch milliseconds, on which replica.
   *
   * @param replica the replica that wrote it
   * @param startMillis when its snapshot thread started
   * @param endMillis when the snapshot was durable
   */
  public record Interval(int replica, long startMillis, long endMillis) {
    /** Rejects an interval that ends before it starts. */
    public Interval {
      if (endMillis < startMillis) {
        throw new IllegalArgumentException("snapshot interval ends (" + endMillis
            + ") before it starts (" + startMillis + ")");
      }
    }

    boolean overlaps(long fromMillis, long toMillis) {
      return fromMillis <= endMillis && toMillis >= startMillis;
    }
  }

  /** Classifies against {@code snapshots} (from {@link #parse}). */
  public SnapshotWindows(List<Interval> snapshots) {
    this.snapshots = snapshots.stream().sorted(Comparator.comparingLong(Interval::startMillis))
        .toList();
  }

  /**
   * The snapshot intervals in a replica's log lines, whose timestamps are local times of
   * {@code zone} (the replica's log formatter prints the local time); other lines are skipped.
   */
  public static List<Interval> parse(Iterable<String> lines, ZoneId zone) {
    List<Interval> out = new ArrayList<>();
    for (String line : lines) {
      Matcher m = STORED.matcher(line);
      if (m.find()) {
        long end = LocalDateTime.parse(m.group(1)).atZone(zone).toInstant().toEpochMilli();
        out.add(new Interval(Integer.parseInt(m.group(2)), end - Long.parseLong(m.group(3)),
            end));
      }
    }
    return out;
  }

  /** Records one operation that ran from {@code startMillis} for {@code latencyMicros}. */
  public void record(long startMillis, long latencyMicros) {
    long endMillis = startMillis + latencyMicros / 1_000;
    boolean overlapped = false;
    for (Interval s : snapshots) {
      if (s.startMillis() > endMillis) {
        break;
      }
      overlapped |= s.overlaps(startMillis, endMillis);
    }
    (overlapped ? during : outside).recordValue(Math.max(0, latencyMicros));
  }

  /** Latencies (µs) of operations that overlapped a snapshot (a copy). */
  public Histogram during() {
    return during.copy();
  }

  /** Latencies (µs) of operations that overlapped none (a copy). */
  public Histogram outside() {
    return outside.copy();
  }

  /** A table: one row per class, with the operation count and p50, p99, p99.9 and max in ms. */
  public String table() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%-22s %9s %9s %9s %9s %9s%n", "writes", "count", "p50 ms", "p99 ms", "p99.9 ms",
        "max ms"));
    row(out, "during a snapshot", during);
    row(out, "no snapshot running", outside);
    return out.toString();
  }

  private static void row(StringBuilder out, String name, Histogram h) {
    if (h.getTotalCount() == 0) {
      out.append(String.format(Locale.ROOT, "%-22s %9d %9s %9s %9s %9s%n", name, 0, "-", "-",
          "-", "-"));
      return;
    }
    out.append(String.format(Locale.ROOT, "%-22s %9d %9.2f %9.2f %9.2f %9.2f%n", name,
        h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0));
  }
}
