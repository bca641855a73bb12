package io.lockstep.bench;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a {@link Workload} against a {@link KvTarget} with closed-loop clients and measures it.
 *
 * <p>All clients start together; operations completing during the warmup are discarded, those
 * completing in the following {@link Workload#duration()} are counted and their latencies
 * recorded. When the window ends the clients stop issuing and the generator waits up to
 * {@link #DRAIN_TIMEOUT} for the operations still in flight (answers arriving then are not
 * counted); any that never complete are reported as {@value #INCOMPLETE} errors. Once a second
 * a progress line goes to the progress sink (standard error by default).
 *
 * <p>Threads: a small driver pool issues operations and a single timer thread prints progress;
 * both are created per run and stopped before {@link #run()} returns. No stage runs on the JDK
 * common pool, which has a single thread on a 2-core machine.
 */
public final class LoadGenerator {

  /** How long to wait for in-flight operations after the measured window. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** Error type of operations still in flight when the drain timed out. */
  public static final String INCOMPLETE = "Incomplete";

  private final KvTarget target;
  private final Workload workload;
  private final long seed;
  private final Consumer<String> progress;
  private final Duration drainTimeout;

  /** A generator with seed 1 that prints progress to standard error. */
  public LoadGenerator(KvTarget target, Workload workload) {
    this(target, workload, 1L, System.err::println);
  }

  /**
   * A generator whose key choices and operation mix come from {@code seed} and whose progress
   * lines go to {@code progress} (pass {@code line -> {}} to silence them).
   */
  public LoadGenerator(KvTarget target, Workload workload, long seed, Consumer<String> progress) {
    this(target, workload, seed, progress, DRAIN_TIMEOUT);
  }

  /** As the public constructor, with a drain timeout that tests can shorten. */
  LoadGenerator(KvTarget target, Workload workload, long seed, Consumer<String> progress,
      Duration drainTimeout) {
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
    this.target = Objects.requireNonNull(target, "target must not be null");
    this.workload = Objects.requireNonNull(workload, "workload must not be null");
    this.progress = Objects.requireNonNull(progress, "progress must not be null");
    this.seed = seed;
  }

  /** Runs the warmup and the measured window, then returns the figures of the window. */
  public BenchResult run() throws InterruptedException {
    ExecutorService driver = Executors.newFixedThreadPool(driverThreads(), daemon("bench-driver"));
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemon("bench-progress"));
    try {
      return measure(driver, timer);
    } finally {
      timer.shutdownNow();
      driver.shutdownNow();
    }
  }

  private BenchResult measure(ExecutorService driver, ScheduledExecutorService timer)
      throws InterruptedException {
    long begin = System.nanoTime();
    long windowStart = begin + workload.warmup().toNanos();
    Measurement measurement =
        new Measurement(windowStart, windowStart + workload.duration().toNanos());
    Stop stop = new Stop(workload.clients());
    Progress reporter = new Progress(measurement, stop, begin, progress);
    timer.scheduleAtFixedRate(reporter::tick, 1, 1, TimeUnit.SECONDS);
    startClients(measurement, stop, driver);
    sleepUntil(measurement.windowEnd());
    stop.stopping = true;
    boolean drained = stop.finished.await(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
    if (!drained) {
      measurement.abandoned(INCOMPLETE, stop.finished.getCount());
    }
    return measurement.result();
  }

  private void startClients(Measurement measurement, Stop stop, ExecutorService driver) {
    String[] keys = new String[workload.keys()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "key:" + i;
    }
    SplittableRandom master = new SplittableRandom(seed);
    byte[] value = new byte[workload.valueSize()];
    master.nextBytes(value);
    for (int i = 0; i < workload.clients(); i++) {
      ClosedLoopClient client = new ClosedLoopClient(
          target, workload, keys, value, master.split(), measurement, driver, stop);
      driver.execute(client::issueNext);
    }
  }

  private int driverThreads() {
    return Math.max(1, Math.min(workload.clients(), Runtime.getRuntime().availableProcessors()));
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The stop signal shared by all clients of one run. */
  private static final class Stop implements ClosedLoopClient.Run {
    private final CountDownLatch finished;
    private volatile boolean stopping;

    Stop(int clients) {
      this.finished = new CountDownLatch(clients);
    }

    @Override
    public boolean stopping() {
      return stopping;
    }

    @Override
    public void clientDone() {
      finished.countDown();
    }
  }

  /** The once-a-second progress line: phase, operations so far, current throughput. */
  private static final class Progress {
    private final Measurement measurement;
    private final Stop stop;
    private final long begin;
    private final Consumer<String> sink;
    private long lastCompleted;
    private long lastTick;

    Progress(Measurement measurement, Stop stop, long begin, Consumer<String> sink) {
      this.measurement = measurement;
      this.stop = stop;
      this.begin = begin;
      this.sink = sink;
      this.lastTick = begin;
    }

    void tick() {
      long now = System.nanoTime();
      long completed = measurement.completedTotal();
      double rate = (completed - lastCompleted) * 1e9 / Math.max(1, now - lastTick);
      lastCompleted = completed;
      lastTick = now;
      String phase = stop.stopping ? "drain" : now < measurement.windowStart() ? "warmup" : "measure";
      sink.accept(String.format(java.util.Locale.ROOT,
          "bench %4ds %-7s ops %,d  now %,.0f ops/s  errors %,d  in flight %d",
          (now - begin) / 1_000_000_000L, phase, completed, rate, measurement.errorsTotal(),
          measurement.inFlight()));
    }
  }
}
