package io.lockstep.cli.cluster;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The maximum heap of each replica process that {@code lockstep local} and {@code bench --local}
 * start. A replica holds its whole state in memory, plus while it takes a snapshot a capture
 * (references to the state, a few dozen bytes per key) and while it receives one the chunk in
 * flight; so the heap must exceed the state by a margin, and a fixed small heap (the earlier
 * 512 MiB) ran out of memory at about 50 MB of data when snapshots still copied the state.
 *
 * <p>The default gives each replica an equal share of half the machine's memory, at least
 * {@link #MIN_DEFAULT_MIB} and at most {@link #MAX_DEFAULT_MIB}; {@code --heap SIZE} overrides it.
 */
public final class ReplicaHeap {
  /** Smallest default heap, MiB. */
  public static final long MIN_DEFAULT_MIB = 512;
  /** Largest default heap, MiB (the store's default memory bound is 256 MiB of data). */
  public static final long MAX_DEFAULT_MIB = 4096;
  private static final Pattern SIZE = Pattern.compile("(\\d{1,9})([mg])");

  private final long mib;

  private ReplicaHeap(long mib) {
    this.mib = mib;
  }

  /**
   * Parses a heap size such as {@code 768m} or {@code 4g} (as Java's {@code -Xmx} takes it).
   *
   * @throws IllegalArgumentException naming the accepted form if {@code text} is not one
   */
  public static ReplicaHeap parse(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("heap size '" + text
          + "' is not a number followed by m or g (e.g. 768m, 4g)");
    }
    long mib = Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? 1024 : 1);
    if (mib < 64) {
      throw new IllegalArgumentException("heap size " + text + " is below the 64m a replica needs");
    }
    return new ReplicaHeap(mib);
  }

  /** The default for {@code replicas} processes on a machine with {@code totalBytes} of memory. */
  public static ReplicaHeap defaultFor(int replicas, long totalBytes) {
    long share = totalBytes / 2 / Math.max(1, replicas) >> 20;
    return new ReplicaHeap(Math.max(MIN_DEFAULT_MIB, Math.min(MAX_DEFAULT_MIB, share)));
  }

  /** The default for {@code replicas} processes on this machine. */
  public static ReplicaHeap defaultFor(int replicas) {
    return defaultFor(replicas, totalMemory());
  }

  private static long totalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return MIN_DEFAULT_MIB << 21; // unknown: twice the minimum per replica, i.e. the minimum
  }

  public long mib() {
    return mib;
  }

  /** The heap as {@code -Xmx} takes it. */
  public String text() {
    return mib % 1024 == 0 ? (mib / 1024) + "g" : mib + "m";
  }

  /** JVM options for a replica: this heap and the serial collector (2-core machines). */
  public List<String> jvmOptions() {
    return List.of("-Xms64m", "-Xmx" + text(), "-XX:+UseSerialGC");
  }
}
