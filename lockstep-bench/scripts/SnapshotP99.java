import io.lockstep.bench.SnapshotWindows;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver of {@code snapshot-p99.sh} (run as a single-file program on the CLI's classpath):
 * preloads a large state, then runs closed-loop writers for a measured window and prints the
 * latencies of writes that overlapped a snapshot apart from the others ({@link SnapshotWindows}).
 *
 * <p>Arguments: config file, data directory, preload MiB, preload value bytes, measured seconds,
 * clients, measured value bytes, measured distinct keys.
 */
public final class SnapshotP99 {
  private static final AtomicLong ERRORS = new AtomicLong();

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    Path dataDir = Path.of(args[1]);
    long preloadMib = Long.parseLong(args[2]);
    int preloadValue = Integer.parseInt(args[3]);
    int seconds = Integer.parseInt(args[4]);
    int clients = Integer.parseInt(args[5]);
    int value = Integer.parseInt(args[6]);
    int keys = Integer.parseInt(args[7]);
    try (LockstepClient client = LockstepClient.connect(ClientOptions.fromConfig(config))) {
      awaitFirstWrite(client);
      long preloadKeys = (preloadMib << 20) / preloadValue;
      long start = System.nanoTime();
      runClients(client, clients, (c, kv) -> preload(kv, c, clients, preloadKeys, preloadValue));
      System.out.printf(Locale.ROOT, "preloaded %d keys of %d bytes (%d MiB) in %.1f s%n",
          preloadKeys, preloadValue, preloadMib, (System.nanoTime() - start) / 1e9);
      long windowStart = System.currentTimeMillis();
      List<long[]> ops = new ArrayList<>();
      FsyncProbe probe = new FsyncProbe(dataDir.resolve("fsync-probe.dat"));
      probe.start();
      runClients(client, clients, (c, kv) -> {
        long[] mine = measure(kv, c, seconds, value, keys);
        synchronized (ops) {
          ops.add(mine);
        }
      });
      long windowEnd = System.currentTimeMillis();
      ops.add(0, probe.finish());
      report(dataDir, ops, windowStart, windowEnd);
    }
  }

  /**
   * Beside the replicas, in their file system, a 4 KiB write and fdatasync every 10 ms, timed:
   * what a replica's log fsync costs, during snapshots and outside them, without the protocol
   * around it. A snapshot that leaves much of its file dirty shows here as slow fsyncs.
   */
  static final class FsyncProbe extends Thread {
    private final Path file;
    private volatile boolean stopped;
    private long[] samples = new long[1 << 12];
    private int n;

    FsyncProbe(Path file) {
      super("fsync-probe");
      this.file = file;
      setDaemon(true);
    }

    @Override
    public void run() {
      java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(4096);
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
        for (long offset = 0; !stopped; offset = (offset + 4096) % (64 << 20)) {
          long startMillis = System.currentTimeMillis();
          long t0 = System.nanoTime();
          channel.write(block.clear(), offset);
          channel.force(false);
          if (n + 2 > samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
          }
          samples[n++] = startMillis;
          samples[n++] = (System.nanoTime() - t0) / 1_000;
          Thread.sleep(10);
        }
      } catch (java.io.IOException | InterruptedException e) {
        System.out.println("fsync probe stopped: " + e);
      }
    }

    /** Stops the probe; its samples as pairs of (start epoch ms, latency µs). */
    long[] finish() throws InterruptedException {
      stopped = true;
      join();
      return Arrays.copyOf(samples, n);
    }
  }

  interface ClientBody {
    void run(int client, KvClient kv) throws Exception;
  }

  private static void runClients(LockstepClient client, int clients, ClientBody body)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int id = c;
      KvClient kv = new KvClient(client.newSession());
      Thread t = new Thread(() -> {
        try {
          body.run(id, kv);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  /** The cluster elects a leader after its start: the first write waits for it (60 s at most). */
  private static void awaitFirstWrite(LockstepClient client) throws Exception {
    KvClient kv = new KvClient(client.newSession());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        kv.setAsync(bytes("hello"), bytes("world")).get(10, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no write was answered within 60 s", e);
        }
        Thread.sleep(500);
      }
    }
  }

  private static void preload(KvClient kv, int client, int clients, long keys, int size)
      throws Exception {
    byte[] value = new byte[size];
    for (long k = client; k < keys; k += clients) {
      Arrays.fill(value, 0, 8, (byte) k);
      kv.setAsync(bytes("pre-" + k), value).get(60, TimeUnit.SECONDS);
    }
  }

  /** Closed-loop writes for {@code seconds}: pairs of (start epoch ms, latency µs). */
  private static long[] measure(KvClient kv, int client, int seconds, int size, int keys) {
    long[] out = new long[1 << 12];
    int n = 0;
    byte[] value = new byte[size];
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    java.util.SplittableRandom random = new java.util.SplittableRandom(client);
    while (System.nanoTime() < end) {
      long startMillis = System.currentTimeMillis();
      long t0 = System.nanoTime();
      try {
        kv.setAsync(bytes("k" + random.nextInt(keys)), value).get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        ERRORS.incrementAndGet();
        continue;
      }
      if (n + 2 > out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      out[n++] = startMillis;
      out[n++] = (System.nanoTime() - t0) / 1_000;
    }
    return Arrays.copyOf(out, n);
  }

  private static void report(Path dataDir, List<long[]> ops, long windowStart, long windowEnd)
      throws Exception {
    List<SnapshotWindows.Interval> snapshots = new ArrayList<>();
    int leaderChanges = 0;
    int leader = 0;
    long leaderSince = Long.MIN_VALUE;
    for (int id = 1; id <= 3; id++) {
      List<String> lines = Files.readAllLines(dataDir.resolve(id + "/replica.log"),
          StandardCharsets.UTF_8);
      for (SnapshotWindows.Interval s : SnapshotWindows.parse(lines, ZoneId.systemDefault())) {
        if (s.endMillis() >= windowStart && s.startMillis() <= windowEnd) {
          snapshots.add(s);
        }
      }
      List<Long> elected = leaderElections(lines);
      leaderChanges += (int) elected.stream().filter(t -> t >= windowStart && t <= windowEnd)
          .count();
      for (long t : elected) {
        if (t <= windowEnd && t > leaderSince) {
          leader = id;
          leaderSince = t;
        }
      }
    }
    int finalLeader = leader;
    SnapshotWindows probe = classify(snapshots, ops.subList(0, 1));
    ops = ops.subList(1, ops.size());
    SnapshotWindows any = classify(snapshots, ops);
    SnapshotWindows leaders = classify(snapshots.stream()
        .filter(s -> s.replica() == finalLeader).toList(), ops);
    long count = any.during().getTotalCount() + any.outside().getTotalCount();
    double seconds = (windowEnd - windowStart) / 1000.0;
    System.out.printf(Locale.ROOT, "window %.1f s, %d writes (%.0f writes/s), %d errors, "
        + "%d leader elections in the window, leader at the end: replica %d%n", seconds, count,
        count / seconds, ERRORS.get(), leaderChanges, leader);
    for (int id = 1; id <= 3; id++) {
      int replica = id;
      List<SnapshotWindows.Interval> mine = snapshots.stream()
          .filter(s -> s.replica() == replica).toList();
      System.out.printf(Locale.ROOT, "replica %d: %d snapshots in the window, %d ms on "
          + "average (%s ms of the snapshot thread's CPU), %d ms at most%n", id, mine.size(),
          (long) mine.stream().mapToLong(s -> s.endMillis() - s.startMillis()).average()
              .orElse(0), averageCpuMillis(dataDir.resolve(id + "/replica.log"), windowStart,
              windowEnd), mine.stream().mapToLong(s -> s.endMillis() - s.startMillis()).max()
              .orElse(0));
    }
    System.out.println("\nwrites overlapping a snapshot on any replica:");
    System.out.print(any.table());
    System.out.println("\nwrites overlapping a snapshot on the leader (replica " + leader + "):");
    System.out.print(leaders.table());
    System.out.println("\nthe file system's fsync latency (4 KiB and fdatasync every 10 ms beside"
        + " the replicas), during a snapshot on any replica and outside:");
    System.out.print(probe.table().replaceFirst("writes", "fsyncs"));
    System.out.println();
    for (int id = 1; id <= 3; id++) {
      int replica = id;
      gcPauses(dataDir.resolve("gc-" + id + ".log"), id, snapshots.stream()
          .filter(s -> s.replica() == replica).toList(), windowStart, windowEnd);
    }
  }

  /**
   * Prints a replica's GC pauses in the window from its {@code -Xlog:gc} file, and how many of
   * them ended while it wrote a snapshot: a snapshot whose garbage causes pauses shows here.
   */
  private static void gcPauses(Path gcLog, int replica, List<SnapshotWindows.Interval> mine,
      long windowStart, long windowEnd) throws java.io.IOException {
    if (!Files.exists(gcLog)) {
      return;
    }
    double[] all = new double[3];
    double[] during = new double[3];
    for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
      java.util.regex.Matcher m = GC_PAUSE.matcher(line);
      if (!m.find()) {
        continue;
      }
      long at = java.time.OffsetDateTime.parse(m.group(1), GC_TIME).toInstant().toEpochMilli();
      if (at < windowStart || at > windowEnd) {
        continue;
      }
      double ms = Double.parseDouble(m.group(2));
      add(all, ms);
      if (mine.stream().anyMatch(s -> s.startMillis() <= at && at <= s.endMillis())) {
        add(during, ms);
      }
    }
    System.out.printf(Locale.ROOT, "replica %d GC: %d pauses in the window, %.0f ms in all, "
        + "%.1f ms at most; %d of them during its snapshots, %.0f ms in all, %.1f ms at most%n",
        replica, (long) all[0], all[1], all[2], (long) during[0], during[1], during[2]);
  }

  private static final java.util.regex.Pattern GC_PAUSE = java.util.regex.Pattern.compile(
      "^\\[([^\\]]+)\\].* Pause .* ([0-9.]+)ms$");
  private static final java.time.format.DateTimeFormatter GC_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  /** Adds one pause to {count, total, max}. */
  private static void add(double[] stats, double ms) {
    stats[0]++;
    stats[1] += ms;
    stats[2] = Math.max(stats[2], ms);
  }

  private static SnapshotWindows classify(List<SnapshotWindows.Interval> snapshots,
      List<long[]> ops) {
    SnapshotWindows windows = new SnapshotWindows(snapshots);
    for (long[] mine : ops) {
      for (int i = 0; i < mine.length; i += 2) {
        windows.record(mine[i], mine[i + 1]);
      }
    }
    return windows;
  }

  /**
   * The average {@code cpu_millis} of the snapshots a replica stored in the window: far below
   * their elapsed time means they waited for the disk, not for the CPU.
   */
  private static String averageCpuMillis(Path log, long windowStart, long windowEnd)
      throws java.io.IOException {
    java.util.regex.Pattern cpu = java.util.regex.Pattern.compile(" cpu_millis=(\\d+)");
    long sum = 0;
    int n = 0;
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      java.util.regex.Matcher m = cpu.matcher(line);
      if (!line.contains("event=snapshot_stored") || !m.find()) {
        continue;
      }
      long at = java.time.LocalDateTime.parse(line.substring(0, 23))
          .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
      if (at >= windowStart && at <= windowEnd) {
        sum += Long.parseLong(m.group(1));
        n++;
      }
    }
    return n == 0 ? "?" : Long.toString(sum / n); // "?": a build that does not log it
  }

  /** When this replica became leader (epoch ms), from its role_change lines. */
  private static List<Long> leaderElections(List<String> lines) {
    List<Long> out = new ArrayList<>();
    for (String line : lines) {
      if (line.contains("event=role_change") && line.contains("role=LEADER")) {
        out.add(java.time.LocalDateTime.parse(line.substring(0, 23))
            .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
