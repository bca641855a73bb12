import io.lockstep.bench.AlternatingWindows;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The driver of {@code journal-switch.sh} (a single-file program on the CLI's classpath): one
 * running cluster whose replicas were started with {@code LOCKSTEP_JOURNAL=switchable}, closed-
 * loop writers for the whole run, and the journal paused and resumed in windows A B B A ...
 * (A: on) by creating and deleting each replica's {@code journal/paused} file. Each window's
 * writes, the replicas' CPU, the journal threads' CPU and bytes, and the log's fsyncs are kept
 * apart ({@link AlternatingWindows}); writes that straddle a switch or fall in the settling time
 * after it count in no window.
 *
 * <p>Arguments: config file, data directory, clients, warmup seconds, windows, window seconds,
 * settle seconds, value bytes, replica pids (comma-separated), metrics ports (comma-separated).
 */
public final class JournalSwitch {
  /** The window writes are counted in now; null while settling. */
  private static volatile Slot current;
  private static volatile boolean stopping;

  /** A window's writes as they complete (a {@link Recorder} takes them from any thread). */
  static final class Slot {
    final Recorder latency = new Recorder(3);
    final AtomicLong errors = new AtomicLong();
  }

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    Path data = Path.of(args[1]);
    int clients = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int windows = Integer.parseInt(args[4]);
    double windowSeconds = Double.parseDouble(args[5]);
    double settle = Double.parseDouble(args[6]);
    int valueBytes = Integer.parseInt(args[7]);
    List<Long> pids = List.of(args[8].split(",")).stream().map(Long::parseLong).toList();
    List<Integer> ports = List.of(args[9].split(",")).stream().map(Integer::parseInt).toList();
    try (LockstepClient client = LockstepClient.connect(ClientOptions.fromConfig(config))) {
      List<Thread> writers = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        KvClient kv = new KvClient(client.newSession());
        int id = c;
        Thread t = new Thread(() -> write(kv, id, valueBytes), "writer-" + c);
        t.setDaemon(true);
        t.start();
        writers.add(t);
      }
      switchTo(data, pids.size(), true);
      Thread.sleep((long) (warmup * 1000));
      AlternatingWindows result = new AlternatingWindows();
      for (int w = 0; w < windows; w++) {
        result.add(measure(w, data, pids, ports, windowSeconds, settle));
      }
      stopping = true;
      switchTo(data, pids.size(), true);
      for (Thread t : writers) {
        t.join(TimeUnit.SECONDS.toMillis(35));
      }
      System.out.print(result.report("on", "off"));
    }
  }

  /** One window: switch, settle, then measure for {@code seconds}. */
  private static AlternatingWindows.Window measure(int index, Path data, List<Long> pids,
      List<Integer> ports, double seconds, double settle) throws Exception {
    boolean on = AlternatingWindows.isA(index);
    switchTo(data, pids.size(), on);
    Thread.sleep((long) (settle * 1000));
    long[] before = sample(pids, ports);
    Slot slot = new Slot();
    long t0 = System.nanoTime();
    current = slot;
    Thread.sleep((long) (seconds * 1000));
    current = null;
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long[] after = sample(pids, ports);
    double hz = 100; // USER_HZ: /proc counts CPU in 1/100 s on Linux
    return new AlternatingWindows.Window(index, on, elapsed, slot.latency.getIntervalHistogram(),
        slot.errors.get(), (after[0] - before[0]) / hz, (after[5] - before[5]) / hz,
        (after[1] - before[1]) / hz, after[2] - before[2], after[3] - before[3],
        (after[4] - before[4]) / 1e9, load());
  }

  /** Creates (off) or deletes (on) each replica's pause file; the replicas see it in 200 ms. */
  private static void switchTo(Path data, int replicas, boolean on) throws Exception {
    for (int id = 1; id <= replicas; id++) {
      Path pause = data.resolve(Integer.toString(id)).resolve("journal").resolve("paused");
      if (on) {
        Files.deleteIfExists(pause);
      } else if (!Files.exists(pause)) {
        Files.createFile(pause);
      }
    }
  }

  private static void write(KvClient kv, int client, int valueBytes) {
    SplittableRandom random = new SplittableRandom(client);
    byte[] value = new byte[valueBytes];
    while (!stopping) {
      Slot before = current;
      long t0 = System.nanoTime();
      try {
        kv.setAsync(("k" + random.nextInt(100_000)).getBytes(StandardCharsets.UTF_8), value)
            .get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (before != null) {
          before.errors.incrementAndGet();
        }
        continue;
      }
      long micros = (System.nanoTime() - t0) / 1_000;
      if (before != null && before == current) {
        before.latency.recordValue(micros);
      }
    }
  }

  /**
   * {CPU ticks of the processes, of their journal threads, bytes the journal threads wrote, log
   * fsyncs, their nanoseconds, CPU ticks of the loop threads}.
   */
  private static long[] sample(List<Long> pids, List<Integer> ports) throws Exception {
    long[] out = new long[6];
    for (long pid : pids) {
      out[0] += ticks(Path.of("/proc/" + pid + "/stat"));
      try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
        for (Path task : tasks.toList()) {
          String comm = readOrEmpty(task.resolve("comm"));
          if (comm.startsWith("lockstep-loop-")) {
            out[5] += ticks(task.resolve("stat"));
          } else if (comm.startsWith("lockstep-journa")) {
            out[1] += ticks(task.resolve("stat"));
            out[2] += wchar(task.resolve("io"));
          }
        }
      }
    }
    HttpClient http = HttpClient.newHttpClient();
    for (int port : ports) {
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : metrics.split("\n")) {
        // Prometheus text: name, maybe {labels}, a space, the value.
        String value = line.substring(line.lastIndexOf(' ') + 1);
        if (line.startsWith("lockstep_fsync_seconds_count")) {
          out[3] += (long) Double.parseDouble(value);
        } else if (line.startsWith("lockstep_fsync_seconds_sum")) {
          out[4] += (long) (Double.parseDouble(value) * 1e9);
        }
      }
    }
    return out;
  }

  /** utime + stime of a /proc stat file (fields 14 and 15, counted after the command's ')'). */
  private static long ticks(Path stat) {
    String s = readOrEmpty(stat);
    if (s.isEmpty()) {
      return 0; // a thread that ended between the listing and the read
    }
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long wchar(Path io) {
    for (String line : readOrEmpty(io).split("\n")) {
      if (line.startsWith("wchar:")) {
        return Long.parseLong(line.substring(6).trim());
      }
    }
    return 0;
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static double load() {
    return Double.parseDouble(readOrEmpty(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
