package io.lockstep.server;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.Service;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A quick measurement (not a test) through the Java client: a JIT warm-up, one client doing
 * sequential SETs (latency percentiles), then 32 closed-loop sessions (throughput). By default
 * it starts a 3-replica cluster in this JVM; with {@code -Dbench.replicas=host:port,…} (client
 * ports) and {@code -Dbench.cluster=NAME} it drives running replica processes instead. Run with
 * {@code java -cp … io.lockstep.server.LocalBench [seconds]}.
 */
public final class LocalBench {
  private LocalBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String external = System.getProperty("bench.replicas");
    if (external != null) {
      List<InetSocketAddress> replicas = Arrays.stream(external.split(",")).map(a ->
          new InetSocketAddress(a.substring(0, a.lastIndexOf(':')),
              Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)))).toList();
      run(() -> LockstepClient.connect(ClientOptions.of(System.getProperty("bench.cluster"),
          replicas)), seconds);
      return;
    }
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/tmp")),
        "lockstep-bench");
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      run(cluster::client, seconds);
      if (Boolean.getBoolean("bench.metrics")) {
        printMetrics(cluster);
      }
    } finally {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Supplier<LockstepClient> clients, int seconds) throws Exception {
    byte[] value = new byte[100];
    int warmup = Integer.getInteger("bench.warmup", 10);
    if (warmup > 0) {
      System.out.println("warming up (JIT) for " + warmup + " s with 32 sessions");
      throughput(clients, 32, warmup, value);
    }
    try (KvClient kv = new KvClient(clients.get())) {
      long[] nanos = new long[5000];
      for (int i = 0; i < nanos.length; i++) {
        long t0 = System.nanoTime();
        kv.setAsync(("k" + i).getBytes(), value).join();
        nanos[i] = System.nanoTime() - t0;
      }
      Arrays.sort(nanos);
      System.out.printf("1 client sequential SET: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms%n",
          nanos[nanos.length / 2] / 1e6, nanos[nanos.length * 99 / 100] / 1e6,
          nanos[nanos.length * 999 / 1000] / 1e6);
    }
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    throughput(clients, 32, seconds, value);
    System.out.printf("this JVM used %.2f cores during the throughput phase%n",
        (cpuNanos() - cpu0) / (double) (System.nanoTime() - t0));
  }

  private static void throughput(Supplier<LockstepClient> clients, int sessions, int seconds,
      byte[] value) throws Exception {
    try (LockstepClient shared = clients.get()) {
      KvClient[] kvs = new KvClient[sessions];
      for (int i = 0; i < sessions; i++) {
        kvs[i] = new KvClient(shared.newSession());
        kvs[i].setAsync("warm".getBytes(), value).join();
      }
      AtomicLong done = new AtomicLong();
      long[] latencies = new long[1 << 22];
      AtomicLong recorded = new AtomicLong();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      CountDownLatch finished = new CountDownLatch(sessions);
      long start = System.nanoTime();
      for (int i = 0; i < sessions; i++) {
        loop(kvs[i], i, 0, end, done, finished, value, latencies, recorded);
      }
      finished.await();
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] sorted = Arrays.copyOf(latencies, (int) Math.min(recorded.get(), latencies.length));
      Arrays.sort(sorted);
      System.out.printf("%d sessions closed-loop SET: %.0f writes/s (%d in %.1f s), p50 %.3f ms,"
          + " p99 %.3f ms, p99.9 %.3f ms, max %.1f ms, %d retries%n", sessions,
          done.get() / elapsed, done.get(), elapsed, sorted[sorted.length / 2] / 1e6,
          sorted[sorted.length * 99 / 100] / 1e6, sorted[sorted.length * 999 / 1000] / 1e6,
          sorted[sorted.length - 1] / 1e6, shared.retries());
    }
  }

  private static void loop(KvClient kv, int session, long n, long end, AtomicLong done,
      CountDownLatch finished, byte[] value, long[] latencies, AtomicLong recorded) {
    long t0 = System.nanoTime();
    if (t0 > end) {
      finished.countDown();
      return;
    }
    kv.setAsync(("c" + session + "-" + (n % 1000)).getBytes(), value).whenComplete((v, e) -> {
      if (e == null) {
        done.incrementAndGet();
        long slot = recorded.getAndIncrement();
        if (slot < latencies.length) {
          latencies[(int) slot] = System.nanoTime() - t0;
        }
      }
      loop(kv, session, n + 1, end, done, finished, value, latencies, recorded);
    });
  }

  /** Where the time went, per replica, over the whole run (warm-up included). */
  private static void printMetrics(TestCluster cluster) {
    for (ReplicaServer server : cluster.servers) {
      System.out.println("replica " + server.id() + " (" + server.status().role() + "):");
      server.metrics().scrape().lines()
          .filter(l -> !l.startsWith("#") && (l.startsWith("lockstep_fsync")
              || l.startsWith("lockstep_batch_entries") || l.contains("quantile")))
          .forEach(l -> System.out.println("  " + l.replaceAll("\\{[^}]*replica=\"\\d+\",?", "{")));
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
