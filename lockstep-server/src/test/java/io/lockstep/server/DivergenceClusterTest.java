package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * S1 in the real server: replicas send each other their state digests on the peer port and
 * compare them at equal positions; a mismatch is logged, counted in
 * {@code lockstep_divergence_total} and turns {@code /health} to 503 with the reason, for good.
 */
class DivergenceClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(15);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  @TempDir Path dir;

  @Test
  void everyReplicaOfANonDeterministicMachineReportsDivergenceInHealthAndMetrics()
      throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.LOCK,
        c -> c.withDigestInterval(10))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id, new TallyMachine(true));
      }
      cluster.awaitLeader(ELECTION);
      submit(cluster, 40);
      for (int id = 1; id <= 3; id++) {
        ReplicaServer server = cluster.server(id);
        awaitTrue(() -> !server.healthy(), "replica " + id + " reports divergence");
        HttpResponse<String> health = get(server.metricsPort(), "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"healthy\":false").contains("diverged")
            .contains("first at position ");
        assertThat(HEX64.matcher(health.body()).results().count()).as("both digests")
            .isEqualTo(2);
        assertThat(metric(server, "lockstep_divergence_total")).isGreaterThanOrEqualTo(1);
      }
    }
  }

  /** Two replicas agree and one does not: each names whom it disagrees with, so the odd one
   * out shows. */
  @Test
  void theOneNonDeterministicReplicaIsTheOneEveryOtherDisagreesWith() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.LOCK,
        c -> c.withDigestInterval(10))) {
      cluster.start(1, new TallyMachine(false));
      cluster.start(2, new TallyMachine(false));
      cluster.start(3, new TallyMachine(true));
      cluster.awaitLeader(ELECTION);
      submit(cluster, 40);
      for (int id = 1; id <= 3; id++) {
        ReplicaServer server = cluster.server(id);
        awaitTrue(() -> !server.healthy(), "replica " + id + " reports divergence");
      }
      assertThat(cluster.server(1).healthProblem().orElseThrow()).contains("replica(s) [3]");
      assertThat(cluster.server(2).healthProblem().orElseThrow()).contains("replica(s) [3]");
      assertThat(cluster.server(3).healthProblem().orElseThrow()).contains("replica(s) [1, 2]");
      // Replicas 1 and 2 compared with each other too, and agreed.
      assertThat(metric(cluster.server(1), "lockstep_digest_compared_total"))
          .isGreaterThan(metric(cluster.server(1), "lockstep_divergence_total"));
    }
  }

  /** The built-in services are deterministic: their replicas compare digests and agree. */
  @ParameterizedTest
  @EnumSource(value = Service.class, names = {"KV", "LOCK"})
  void theBuiltInServicesCompareDigestsAndStayHealthy(Service service) throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, service,
        c -> c.withDigestInterval(10))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      cluster.awaitLeader(ELECTION);
      if (service == Service.KV) {
        try (KvClient kv = new KvClient(cluster.client())) {
          write(kv, 0, 120);
        }
      } else {
        lockTraffic(cluster, 60);
      }
      awaitEveryReplicaCompared(cluster, List.of(1, 2, 3), 10);
      assertNoDivergence(cluster, List.of(1, 2, 3));
    }
  }

  /**
   * A replica that restarts (replaying its log from its snapshot) and then catches up from the
   * leader's snapshot compares only positions it applied itself: no false mismatch.
   */
  @Test
  void aRestartedReplicaThatInstallsASnapshotReportsNoFalseDivergence() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withSnapshotInterval(25).withDigestInterval(10)
            .withProtocolSetting("compaction-margin", "0"))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      try (KvClient kv = new KvClient(cluster.client())) {
        write(kv, 0, 60);
        cluster.stop(follower);
        write(kv, 60, 200);
        // With no compaction margin the leader keeps no entry below its snapshot, so the
        // follower (at about 60) can only catch up by installing that snapshot.
        assertThat(cluster.server(leader).status().snapshotIndex()).isGreaterThan(100);
        cluster.start(follower);
        write(kv, 200, 260);
      }
      awaitTrue(() -> cluster.server(follower).status().applied()
          >= cluster.server(leader).status().commitIndex(), "the follower caught up");
      awaitEveryReplicaCompared(cluster, List.of(1, 2, 3), 4);
      assertNoDivergence(cluster, List.of(1, 2, 3));
    }
  }

  private static void write(KvClient kv, int from, int to) {
    for (int i = from; i < to; i++) {
      kv.set("key" + (i % 23), "value" + i);
    }
  }

  /**
   * Two clients contend for each lock: the second waits, is granted the lock on the first's
   * release, and its short hold then expires by time-out (agreed time, paper §5.2).
   */
  private static void lockTraffic(TestCluster cluster, int rounds) {
    try (LockstepClient one = cluster.client(); LockstepClient two = cluster.client()) {
      LockClient a = new LockClient(one.newSession());
      LockClient b = new LockClient(two.newSession());
      for (int i = 0; i < rounds; i++) {
        String name = "lock" + i;
        assertThat(a.acquire(name, Duration.ofSeconds(30)).held()).isTrue();
        assertThat(b.acquire(name, Duration.ofMillis(5)).callerPosition()).isEqualTo(1);
        a.release(name);
      }
    }
  }

  private static void submit(TestCluster cluster, int commands) throws Exception {
    try (LockstepClient client = cluster.client()) {
      for (int i = 0; i < commands; i++) {
        client.submit(new byte[] {(byte) i}).get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitEveryReplicaCompared(TestCluster cluster, List<Integer> ids,
      double atLeast) throws Exception {
    for (int id : ids) {
      ReplicaServer server = cluster.server(id);
      awaitTrue(() -> metric(server, "lockstep_digest_compared_total") >= atLeast,
          "replica " + id + " compared at least " + atLeast + " digests");
    }
  }

  private static void assertNoDivergence(TestCluster cluster, List<Integer> ids)
      throws Exception {
    for (int id : ids) {
      ReplicaServer server = cluster.server(id);
      assertThat(metric(server, "lockstep_divergence_total")).isZero();
      HttpResponse<String> health = get(server.metricsPort(), "/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(health.body()).contains("\"healthy\":true");
    }
  }

  /** A counter's value on the replica's real {@code /metrics} endpoint. */
  private static double metric(ReplicaServer server, String name) {
    try {
      String text = get(server.metricsPort(), "/metrics").body();
      Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(text);
      assertThat(m.find()).as(name + " is exported").isTrue();
      return Double.parseDouble(m.group(1));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
