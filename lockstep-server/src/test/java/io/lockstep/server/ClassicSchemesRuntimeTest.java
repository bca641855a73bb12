package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The paper's own ordering schemes in real replica servers (t+1 = 2 replicas, fail-stop): every
 * replica orders what its clients hand it, a replica that ran before rejoins (paper §7.2) and
 * serves again, and the watch reports a clock skew beyond the real-time scheme's δ.
 */
class ClassicSchemesRuntimeTest {
  @TempDir Path dir;
  private final List<ReplicaServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(ReplicaServer::close);
  }

  /** Two replicas of {@code protocol}; timeouts wide enough for a loaded test machine. */
  private ClusterConfig config(String protocol) {
    int[] ports = TestCluster.freePorts(8);
    List<ReplicaAddresses> replicas = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      replicas.add(new ReplicaAddresses(i + 1, loop(ports[4 * i]), loop(ports[4 * i + 1]),
          loop(ports[4 * i + 2]), loop(ports[4 * i + 3])));
    }
    ClusterConfig c = ClusterConfig.local("classic", 2, 20_000, dir, Service.KV, TestCluster.SECRET)
        .withReplicas(replicas).withFailureModel(FailureModel.FAIL_STOP, 1, protocol)
        .withProtocolSetting("failure-timeout-ms", "3000") // each step is checked: widen first
        // Peer connections can take seconds to come up on a loaded machine: a replica not heard
        // from yet must not be declared failed meanwhile (see FailureDetector).
        .withProtocolSetting("start-timeout-ms", "30000");
    if (protocol.equals("real-time")) {
      c = c.withProtocolSetting("delta-ms", "1100");
    }
    return c.withProtocolSetting("max-delay-ms", "1000");
  }

  private static InetSocketAddress loop(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  private ReplicaServer start(ClusterConfig config, int id) throws Exception {
    ReplicaServer s = ReplicaServer.start(config, id);
    servers.add(s);
    return s;
  }

  @Test
  void everyReplicaOfTheLogicalClockSchemeOrdersWritesAndServesReads() throws Exception {
    ClusterConfig config = config("logical-clock");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitHealthy(one);
    awaitHealthy(two);
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000);
        Jedis b = new Jedis("127.0.0.1", two.redisPort(), 15_000)) {
      assertThat(a.set("x", "1")).isEqualTo("OK");
      assertThat(b.set("y", "2")).isEqualTo("OK");
      assertThat(b.get("x")).as("a write ordered at replica 1, read at replica 2").isEqualTo("1");
      assertThat(a.get("y")).isEqualTo("2");
      assertThat(a.incr("n")).isEqualTo(1);
      assertThat(b.incr("n")).isEqualTo(2);
    }
    assertThat(one.healthProblem()).isEmpty();
    assertThat(one.metrics().scrape())
        .contains("lockstep_assumption_violations_total{kind=\"delay\",replica=\"1\"} 0.0");
  }

  @Test
  void aRestartedReplicaRejoinsTheSurvivorAndServesEverythingOrderedWithoutIt()
      throws Exception {
    ClusterConfig config = config("logical-clock");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitHealthy(one);
    // The survivor's next write waits for the failure timeout (3 s): wait longer than that.
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000)) {
      assertThat(a.set("x", "1")).isEqualTo("OK");
      two.close();
      servers.remove(two);
      // Replica 1 detects 2's silence (failure timeout 3 s) and orders alone (fail-stop).
      assertThat(a.set("y", "2")).isEqualTo("OK");
      ReplicaServer again = start(config, 2);
      try (Jedis b = new Jedis("127.0.0.1", again.redisPort(), 15_000)) {
        assertThat(awaitWrite(b, "z", "3")).as("served once it has the state").isEqualTo("OK");
        assertThat(b.get("x")).isEqualTo("1");
        assertThat(b.get("y")).as("ordered while it was down").isEqualTo("2");
        assertThat(a.get("z")).isEqualTo("3");
        assertThat(a.incr("n")).isEqualTo(1);
        assertThat(b.incr("n")).isEqualTo(2);
      }
    }
    assertThat(one.metrics().scrape())
        .contains("lockstep_assumption_violations_total{kind=\"order\",replica=\"1\"} 0.0");
  }

  /**
   * A replica-uid replica closed while a client keeps writing at the other, and started again:
   * it rejoins (paper §7.2) and both replicas hold every write that was acknowledged, those
   * ordered while it was down, during its join and after it.
   */
  @Test
  void aRestartedReplicaUidReplicaRejoinsUnderLoadAndHasEveryAcknowledgedWrite()
      throws Exception {
    ClusterConfig config = config("replica-uid");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitHealthy(one);
    awaitHealthy(two);
    java.util.Map<String, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic
        .AtomicBoolean(true);
    Thread writer = new Thread(() -> writeUntilStopped(one.redisPort(), acknowledged, writing));
    writer.start();
    try {
      awaitCount(acknowledged, 20);
      two.close();
      servers.remove(two);
      int beforeRestart = acknowledged.size();
      awaitCount(acknowledged, beforeRestart + 20); // ordered alone once 2 is declared failed
      ReplicaServer again = start(config, 2);
      try (Jedis b = new Jedis("127.0.0.1", again.redisPort(), 15_000)) {
        assertThat(awaitWrite(b, "at-two", "back")).as("served once it has the state")
            .isEqualTo("OK");
        awaitCount(acknowledged, acknowledged.size() + 20); // and after it rejoined
        writing.set(false);
        writer.join(30_000);
        try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000)) {
          assertThat(a.get("at-two")).isEqualTo("back");
          for (var w : acknowledged.entrySet()) {
            assertThat(b.get(w.getKey())).as("acknowledged %s at the rejoined replica",
                w.getKey()).isEqualTo(w.getValue());
            assertThat(a.get(w.getKey())).isEqualTo(w.getValue());
          }
        }
      }
    } finally {
      writing.set(false);
      writer.join(30_000);
    }
    assertThat(acknowledged.size()).isGreaterThanOrEqualTo(60);
    assertThat(one.metrics().scrape())
        .contains("lockstep_assumption_violations_total{kind=\"order\",replica=\"1\"} 0.0");
  }

  /** Writes k0, k1, ... at {@code port} until stopped, recording the acknowledged ones. */
  private static void writeUntilStopped(int port, java.util.Map<String, String> acknowledged,
      java.util.concurrent.atomic.AtomicBoolean writing) {
    int i = 0;
    while (writing.get()) {
      try (Jedis a = new Jedis("127.0.0.1", port, 15_000)) {
        while (writing.get()) {
          String key = "k" + i;
          String value = "v" + i++;
          if ("OK".equals(a.set(key, value))) {
            acknowledged.put(key, value);
          }
        }
      } catch (redis.clients.jedis.exceptions.JedisException e) {
        // busy or a time-out: not acknowledged, so not checked; go on with the next key
      }
    }
  }

  private static void awaitCount(java.util.Map<String, String> acknowledged, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (acknowledged.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(acknowledged.size()).as("acknowledged writes").isGreaterThanOrEqualTo(count);
  }

  /**
   * A replica whose data directory is lost (a wiped disk, a replacement machine) starts with
   * empty storage; the cluster file says the cluster has run ({@code cluster-started}), so it
   * rejoins from the survivor with no state of its own instead of starting an order nobody
   * follows, and has every acknowledged write. Run with replica-uid's ABCAST variant, whose
   * coordinators a join must account for (the clock schemes' wiped rejoin is scripted and
   * simulated in lockstep-classic and lockstep-sim).
   */
  @Test
  void aReplicaWhoseDataDirectoryWasWipedRejoinsAndHasEveryAcknowledgedWrite() throws Exception {
    ClusterConfig config = config("replica-uid").withProtocolSetting("variant", "abcast");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitHealthy(one);
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000);
        Jedis b = new Jedis("127.0.0.1", two.redisPort(), 15_000)) {
      assertThat(a.set("x", "1")).isEqualTo("OK");
      assertThat(b.set("w", "at two")).isEqualTo("OK");
    }
    two.close();
    servers.remove(two);
    deleteTree(dir.resolve("2"));
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000)) {
      assertThat(a.set("y", "2")).as("ordered alone once 2 is detected failed").isEqualTo("OK");
      ReplicaServer wiped = start(config.withProtocolSetting("cluster-started", "true"), 2);
      try (Jedis b = new Jedis("127.0.0.1", wiped.redisPort(), 15_000)) {
        assertThat(awaitWrite(b, "z", "3")).as("served once it has the state").isEqualTo("OK");
        assertThat(b.get("x")).isEqualTo("1");
        assertThat(b.get("w")).as("its own write, lost with its disk").isEqualTo("at two");
        assertThat(b.get("y")).as("ordered while it was down").isEqualTo("2");
        assertThat(a.get("z")).isEqualTo("3");
      }
    }
    assertThat(one.metrics().scrape())
        .contains("lockstep_assumption_violations_total{kind=\"order\",replica=\"1\"} 0.0");
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
  }

  /** Sets {@code key} at {@code client}'s replica, retrying while it is still rejoining. */
  private static String awaitWrite(Jedis client, String key, String value)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return client.set(key, value);
      } catch (redis.clients.jedis.exceptions.JedisDataException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // busy: still rejoining
      }
    }
  }

  @Test
  void aClockSkewBeyondDeltaIsReportedByMetricAndHealthWhileItLasts() throws Exception {
    ClusterConfig config = config("real-time").withTestClockOffset(2, 500);
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitProblem(one);
    awaitProblem(two);
    assertThat(one.healthProblem()).hasValueSatisfying(p -> assertThat(p).contains(
        "timing assumption broken", "replica 2's clock differs from this one's by at least",
        "assumed skew 2 ms"));
    assertThat(two.healthProblem()).hasValueSatisfying(p -> assertThat(p)
        .contains("replica 1's clock differs"));
    assertThat(one.metrics().scrape())
        .containsPattern("lockstep_assumption_violations_total\\{kind=\"skew\",replica=\"1\"\\}"
            + " [1-9]");
  }

  /** Healthy once every peer answered a clock probe: the peer connections are up. */
  private static void awaitHealthy(ReplicaServer server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (server.healthProblem().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(server.healthProblem()).isEmpty();
  }

  private static void awaitProblem(ReplicaServer server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!server.healthProblem().orElse("").contains("timing assumption broken")
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /**
   * Replica 2 starts after replica 1's start timeout, so 1 has declared it failed before it
   * said anything: its broadcasts are a broken assumption 1 reports (the loop hands the
   * protocol's reports on). 2 learns from 1 that it is suspected, halts and rejoins (paper
   * §7.2), and then 1's report clears by itself.
   */
  @Test
  void aReplicaDeclaredFailedThatSpeaksAfterwardsIsReportedUntilItHaltedAndRejoined()
      throws Exception {
    ClusterConfig config = config("logical-clock");
    ClusterConfig hasty = config.withProtocolSetting("max-delay-ms", "100")
        .withProtocolSetting("failure-timeout-ms", "300")
        .withProtocolSetting("start-timeout-ms", "500");
    ReplicaServer one = start(hasty, 1);
    Thread.sleep(1_500); // replica 2 has not started: after 500 ms it counts as failed
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000)) {
      // Ordered alone. It also gives 1 a snapshot to hand over: the snapshot writer refuses
      // position 0, so a donor that has applied nothing cannot take a replica back.
      assertThat(a.set("w", "0")).isEqualTo("OK");
    }
    ReplicaServer two = start(hasty, 2);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!one.healthProblem().orElse("").contains("order may differ")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(one.metrics().scrape())
        .containsPattern("lockstep_assumption_violations_total\\{kind=\"order\",replica=\"1\"\\}"
            + " [1-9]");
    awaitHealthy(one);
    awaitHealthy(two);
    try (Jedis a = new Jedis("127.0.0.1", one.redisPort(), 15_000);
        Jedis b = new Jedis("127.0.0.1", two.redisPort(), 15_000)) {
      assertThat(a.set("x", "1")).isEqualTo("OK");
      assertThat(b.get("x")).as("the rejoined replica serves").isEqualTo("1");
      assertThat(b.get("w")).as("ordered before it started").isEqualTo("0");
    }
  }

  /**
   * Replica 2's loop stalls past the failure timeout (held between turns, as under {@code
   * SIGSTOP}; what peers send it waits in its queue), and replica 1 declares it failed and
   * takes a write alone. Woken, 2 learns from 1 that it is suspected and halts: its {@code
   * /health} says why, and a read there is refused rather than answered from a state without
   * the write; then it rejoins (paper §7.2) and serves that write, and both replicas are
   * healthy again without a restart.
   */
  @Test
  void aReplicaStalledPastTheFailureTimeoutHaltsInsteadOfServingAStaleReadThenRejoins()
      throws Exception {
    ClusterConfig config = config("logical-clock");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    awaitHealthy(one);
    awaitHealthy(two);
    try (LogCapture log = new LogCapture(AssumptionWatch.class);
        Jedis a = new Jedis("127.0.0.1", one.redisPort(), 20_000);
        Jedis b = new Jedis("127.0.0.1", two.redisPort(), 30_000)) {
      assertThat(a.set("x", "1")).isEqualTo("OK");
      assertThat(b.get("x")).isEqualTo("1");
      two.loopStall().stall();
      try {
        // Waits until 1 declares 2 failed (3 s of silence), then is ordered by 1 alone.
        assertThat(a.set("y", "2")).isEqualTo("OK");
      } finally {
        two.loopStall().release();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!two.healthProblem().orElse("").contains("suspects replica 2")
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(two.healthProblem()).hasValueSatisfying(p -> assertThat(p)
          .contains("replica 1 suspects replica 2 of having failed while it ran", "halted"));
      assertThat(b.get("y")).as("refused while halted and rejoining, then the survivor's write")
          .isEqualTo("2");
      assertThat(two.metrics().scrape()).as("reads refused meanwhile")
          .containsPattern("lockstep_client_busy_total\\{replica=\"2\"\\} [1-9]");
      assertThat(b.set("z", "3")).isEqualTo("OK");
      assertThat(a.get("z")).isEqualTo("3");
      awaitHealthy(one);
      awaitHealthy(two);
      assertThat(log.lines(java.util.logging.Level.WARNING)).anySatisfy(line -> assertThat(line)
          .startsWith("event=assumption_violated replica=2 kind=order").contains("halted"));
      assertThat(log.lines(java.util.logging.Level.INFO)).anySatisfy(line -> assertThat(line)
          .startsWith("event=assumption_restored replica=1 kind=order"));
    }
  }

  @Test
  void synchronizedClocksAreNoViolation() throws Exception {
    ClusterConfig config = config("real-time");
    ReplicaServer one = start(config, 1);
    ReplicaServer two = start(config, 2);
    Thread.sleep(1_500); // several probe rounds
    assertThat(two.healthProblem()).as("every peer answered a probe").isEmpty();
    assertThat(one.metrics().scrape())
        .contains("lockstep_assumption_violations_total{kind=\"skew\",replica=\"1\"} 0.0");
    assertThat(one.healthProblem()).isEmpty();
  }
}
