package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.Service;
import io.lockstep.storage.DiskFaults;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks that are slow, full or failing (EIO, ENOSPC) in a real 3-replica cluster, through the
 * storage's fault switch: a full disk stops its replica with the reason on /health while the
 * other two serve on, a restart after the disk is freed loses no acknowledged write, a stalled
 * disk slows a replica without killing it, and close() returns on a stuck disk.
 */
class DiskFaultClusterTest {
  static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A 3-replica cluster whose replicas each have their own disk switch. */
  static TestCluster startWithSwitches(Path dir, DiskFaults[] disks) throws Exception {
    TestCluster cluster = new TestCluster(dir, 3, Service.KV);
    for (int id = 1; id <= 3; id++) {
      disks[id - 1] = DiskFaults.none();
      cluster.start(id, disks[id - 1]);
    }
    return cluster;
  }

  /** GET on the replica's HTTP port: status code and body. */
  static HttpResponse<String> get(ReplicaServer server, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void await(String what, Duration timeout, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Every INCR acknowledged is applied exactly once, in order, so the values a client got back
   * are exactly 1..n; any acknowledged write lost (or applied twice) breaks the sequence.
   */
  static void assertCounterSequence(List<Long> values) {
    for (int i = 0; i < values.size(); i++) {
      assertThat(values.get(i)).as("INCR number %d", i + 1).isEqualTo(i + 1L);
    }
  }

  /**
   * Once the replica that failed has restarted and caught up, the old leader is stopped, so the
   * restarted replica is needed for every quorum; the counter must still hold every
   * acknowledged increment.
   */
  static void assertRestartedReplicaHoldsEverything(TestCluster cluster, int restarted,
      KvClient kv, long acknowledged) throws Exception {
    int leader = cluster.awaitLeader(ELECTION);
    long target = cluster.server(leader).status().commitIndex();
    await("replica " + restarted + " catches up", Duration.ofSeconds(30),
        () -> cluster.server(restarted).status().applied() >= target);
    int other = leader == restarted ? restarted % 3 + 1 : leader;
    cluster.stop(other);
    cluster.awaitLeader(ELECTION);
    assertThat(kv.get("counter")).isEqualTo(Long.toString(acknowledged));
    assertThat(kv.incr("counter")).isEqualTo(acknowledged + 1);
  }

  @Test
  void aFullDiskStopsItsReplicaWithTheReasonAndTheOthersLoseNoAcknowledgedWrite()
      throws Exception {
    DiskFaults[] disks = new DiskFaults[3];
    try (TestCluster cluster = startWithSwitches(dir, disks);
         LockstepClient client = cluster.client()) {
      KvClient kv = new KvClient(client);
      int leader = cluster.awaitLeader(ELECTION);
      List<Long> values = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        values.add(kv.incr("counter"));
      }
      disks[leader - 1].set(DiskFaults.Mode.FULL);
      for (int i = 0; i < 60; i++) {
        values.add(kv.incr("counter"));
      }
      ReplicaServer full = cluster.server(leader);
      assertThat(full.failure()).as("the leader's disk filled up").isPresent();
      HttpResponse<String> health = get(full, "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("\"healthy\":false")
          .contains("No space left on device").contains("acknowledges nothing more");
      assertCounterSequence(values);

      cluster.stop(leader);
      assertThat(cluster.awaitLeader(ELECTION)).isNotEqualTo(leader);
      disks[leader - 1].set(DiskFaults.Mode.HEALTHY);
      cluster.start(leader, disks[leader - 1]);
      assertRestartedReplicaHoldsEverything(cluster, leader, kv, values.size());
    }
  }

  @Test
  void aDiskThatStallsForThreeSecondsSlowsItsReplicaButDoesNotKillIt() throws Exception {
    DiskFaults[] disks = new DiskFaults[3];
    try (TestCluster cluster = startWithSwitches(dir, disks);
         LockstepClient client = cluster.client()) {
      KvClient kv = new KvClient(client);
      int leader = cluster.awaitLeader(ELECTION);
      ReplicaServer slow = cluster.server(leader);
      List<Long> values = new ArrayList<>();
      values.add(kv.incr("counter"));
      AtomicBoolean sawSlow = new AtomicBoolean();
      disks[leader - 1].stallSyncs(Duration.ofSeconds(3));
      CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 30; i++) {
          values.add(kv.incr("counter"));
        }
      });
      await("a sync is stalled", Duration.ofSeconds(10),
          () -> slow.healthProblem().map(p -> p.startsWith("disk slow")).orElse(false));
      disks[leader - 1].stallSyncs(Duration.ZERO);
      HttpResponse<String> health = get(slow, "/health");
      sawSlow.set(health.statusCode() == 503 && health.body().contains("disk slow"));
      writes.get(60, TimeUnit.SECONDS);
      assertThat(sawSlow).as("/health reported the slow disk").isTrue();
      await("the replica is healthy again", Duration.ofSeconds(10), slow::healthy);
      assertThat(slow.failure()).as("a slow disk is back-pressure, not death").isEmpty();
      assertCounterSequence(values);
      assertThat(kv.incr("counter")).isEqualTo(values.size() + 1L);
    }
  }

  @Test
  void closeReturnsInBoundedTimeWhenTheDiskIsStuck() throws Exception {
    DiskFaults[] disks = new DiskFaults[3];
    try (TestCluster cluster = startWithSwitches(dir, disks);
         LockstepClient client = cluster.client()) {
      KvClient kv = new KvClient(client);
      int leader = cluster.awaitLeader(ELECTION);
      kv.incr("counter");
      disks[leader - 1].stallSyncs(Duration.ofSeconds(40));
      CompletableFuture<Long> stuck = kv.incrByAsync("counter".getBytes(), 1);
      ReplicaServer server = cluster.server(leader);
      await("a sync is stuck", Duration.ofSeconds(10), () -> server.healthProblem().isPresent());
      long start = System.nanoTime();
      cluster.stop(leader);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(tookMillis).as("close() on a stuck disk").isLessThan(15_000);
      assertThat(stuck.get(30, TimeUnit.SECONDS)).as("the others serve the write").isEqualTo(2);
    }
  }
}
