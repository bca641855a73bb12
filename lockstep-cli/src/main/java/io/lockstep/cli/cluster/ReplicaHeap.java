package io.lockstep.cli.cluster;

import io.lockstep.order.Protocols;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * {@link #MIN_DEFAULT_MIB} and at most {@link #MAX_DEFAULT_MIB}, and never less than the
 * cluster's own bounds need ({@link #neededMib}); {@code --heap SIZE} overrides it.
 */
public final class ReplicaHeap {
  /** Smallest default heap, MiB. */
  public static final long MIN_DEFAULT_MIB = 512;
  /** Largest default heap, MiB (the store's default memory bound is 256 MiB of data). */
  public static final long MAX_DEFAULT_MIB = 4096;
  /**
   * What a replica holds beside its state and its in-memory log, MiB: ~16 MiB of runtime
   * measured in heap dumps (the event journal's ring, the jars' central directories, the log's
   * write buffer, maps and metrics; docs/OPERATIONS.md, "Heap"), and room for a snapshot
   * transfer's chunks and the collector.
   */
  public static final long RUNTIME_MIB = 24;
  /** Largest young generation {@link #jvmOptions} sets, MiB. */
  public static final long MAX_YOUNG_MIB = 256;
  /** Largest initial heap {@link #jvmOptions} sets, MiB. */
  public static final long MAX_INITIAL_MIB = 768;
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

  /**
   * The least heap, MiB, for a state of up to {@code stateBytes} and an in-memory log of up to
   * {@code logBytes}: both, plus {@link #RUNTIME_MIB}, in the two thirds of the heap the serial
   * collector leaves beside its young generation by default. A bound of the state itself (not
   * a multiple of it): a snapshot streams the state to its file, and a received one goes to
   * disk as it arrives.
   */
  public static long neededMib(long stateBytes, long logBytes) {
    if (stateBytes < 0 || logBytes < 0) {
      throw new IllegalArgumentException("state and log bounds must not be negative, were "
          + stateBytes + " and " + logBytes);
    }
    long old = ceilMib(stateBytes) + ceilMib(logBytes) + RUNTIME_MIB;
    return (old * 3 + 1) / 2;
  }

  private static long ceilMib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }

  /**
   * What {@code config}'s own bounds need of each replica's heap ({@link #neededMib}): the
   * store's memory bound for the key-value service (other services bound their states
   * themselves), and the protocol's in-memory log budget ({@code max-log-bytes}, as set or by
   * the protocol's default) if it has one.
   */
  public static long neededMib(ClusterConfig config) {
    long state = config.service() == Service.KV ? config.redisMaxMemory() : 0;
    Map<String, String> settings =
        new HashMap<>(Protocols.named(config.protocol()).defaultSettings());
    settings.putAll(config.protocolSettings());
    String log = settings.get("max-log-bytes");
    return neededMib(state, log == null ? 0 : Long.parseLong(log));
  }

  /** The default, raised to {@code neededMib} where the machine's share is smaller. */
  public static ReplicaHeap defaultFor(int replicas, long totalBytes, long neededMib) {
    return new ReplicaHeap(Math.max(defaultFor(replicas, totalBytes).mib, neededMib));
  }

  /** The default for {@code replicas} processes on this machine. */
  public static ReplicaHeap defaultFor(int replicas) {
    return defaultFor(replicas, totalMemory());
  }

  /** This machine's memory in bytes (as if the minimum heap were its share, if unknown). */
  public static long totalMemory() {
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

  /**
   * JVM options for a replica: this heap, the serial collector (2-core machines), a young
   * generation of a third of the heap up to {@link #MAX_YOUNG_MIB}, and an initial heap of up
   * to {@link #MAX_INITIAL_MIB}. Started at 64 MiB, a replica's heap never grew: under write
   * load it stayed at 61 MiB with a young generation of about 20 MiB, collected several times
   * a second, and what survived (under the benchmark's writes, values the store keeps about a
   * second before they are overwritten) filled the old generation, so a full collection of 40–170 ms came every few
   * seconds. With these bounds the serial collector's CPU per PBFT write fell from ~20 to ~7 µs
   * over four replicas, and no full collection came in three minutes (docs/BENCHMARKS.md,
   * "Checkpoints every 512 sequence numbers").
   */
  public List<String> jvmOptions() {
    long young = Math.min(mib / 3, MAX_YOUNG_MIB);
    long initial = Math.min(mib, MAX_INITIAL_MIB);
    return List.of("-Xms" + initial + "m", "-Xmx" + text(), "-Xmn" + young + "m",
        "-XX:+UseSerialGC");
  }
}
