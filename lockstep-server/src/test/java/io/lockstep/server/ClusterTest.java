package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.Service;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** A real 3-replica cluster in one JVM: TCP on loopback, files in a temporary directory. */
class ClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void setOnOneReplicaIsReadOnAnother() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      int other = follower % 3 + 1;
      try (Jedis a = new Jedis("127.0.0.1", cluster.server(follower).redisPort());
           Jedis b = new Jedis("127.0.0.1", cluster.server(other).redisPort())) {
        assertThat(a.set("k", "v")).isEqualTo("OK");
        assertThat(b.get("k")).isEqualTo("v");
        assertThat(b.incr("n")).isEqualTo(1);
        assertThat(a.incr("n")).isEqualTo(2);
        assertThat(a.info()).contains("role:follower");
      }
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("x", "1");
        assertThat(kv.get("x")).isEqualTo("1");
        assertThat(kv.get("k")).isEqualTo("v");
        assertThat(kv.cas("x", "1", "2")).isTrue();
        assertThat(kv.cas("x", "1", "3")).isFalse();
        assertThat(kv.incr("n")).isEqualTo(3);
      }
      assertThat(http(cluster.server(leader).metricsPort(), "/health"))
          .contains("\"role\":\"leader\"").contains("\"healthy\":true");
      assertThat(http(cluster.server(leader).metricsPort(), "/metrics"))
          .contains("lockstep_commit_latency_seconds_count").contains("lockstep_fsync_seconds_sum")
          .contains("lockstep_log_slow_submits_total")
          .contains("lockstep_role{replica=\"" + leader + "\"} 3.0");
    }
  }

  private static String http(int port, String path) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /**
   * X4: the client retries the same (client, sequence) after the leader stops; every INCR is
   * applied exactly once, so the values returned are exactly 1, 2, 3, … with no gap or repeat,
   * and a new leader serves the writes after the old one stopped.
   */
  @Test
  void retriesAfterLeaderStopApplyEachWriteExactlyOnce() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
         LockstepClient client = cluster.client()) {
      KvClient kv = new KvClient(client);
      int leader = cluster.awaitLeader(ELECTION);
      List<Long> values = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        if (i == 60) {
          CompletableFuture<Long> inFlight = kv.incrByAsync("counter".getBytes(), 1);
          cluster.stop(leader);
          values.add(inFlight.join());
        } else {
          values.add(kv.incr("counter"));
        }
      }
      int newLeader = cluster.awaitLeader(ELECTION);
      assertThat(newLeader).isNotEqualTo(leader);
      assertThat(client.retries()).as("requests were retried across the leader change")
          .isPositive();
      for (int i = 0; i < values.size(); i++) {
        assertThat(values.get(i)).as("INCR number %d", i + 1).isEqualTo(i + 1L);
      }
      assertThat(kv.get("counter")).isEqualTo("150");
      int follower = 6 - leader - newLeader;
      try (Jedis jedis = new Jedis("127.0.0.1", cluster.server(follower).redisPort())) {
        assertThat(jedis.incr("counter")).isEqualTo(151);
      }
    }
  }

  /**
   * A Redis write that times out without ever being ordered (no quorum) must not leave its
   * connection stuck: the connection's later writes go out under a fresh identity instead of
   * waiting forever behind the unordered sequence number (O1).
   */
  @Test
  void aRedisConnectionKeepsWorkingAfterAWriteThatNeverGotOrdered() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      int other = follower % 3 + 1;
      try (Jedis jedis = new Jedis("127.0.0.1", cluster.server(follower).redisPort(), 30_000)) {
        assertThat(jedis.set("k", "before")).isEqualTo("OK");
        cluster.stop(leader);
        cluster.stop(other);
        assertThatThrownBy(() -> jedis.set("k", "lost"))
            .hasMessageStartingWith("TIMEOUT outcome unknown");
        cluster.start(leader);
        cluster.start(other);
        cluster.awaitLeader(ELECTION);
        assertThat(jedis.set("k", "after")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("after");
      }
    }
  }

  @Test
  void restartOnTheSameDataDirectoriesRecoversTheData() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      cluster.awaitLeader(ELECTION);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 50; i++) {
          kv.set("key" + i, "value" + i);
        }
      }
      for (int id = 1; id <= 3; id++) {
        cluster.stop(id);
      }
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      cluster.awaitLeader(ELECTION);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 50; i++) {
          assertThat(kv.get("key" + i)).isEqualTo("value" + i);
        }
        kv.set("after", "restart");
        assertThat(kv.get("after")).isEqualTo("restart");
      }
    }
  }

  /** X2: a follower that missed compacted entries catches up from the leader's snapshot. */
  @Test
  void aRestartedFollowerCatchesUpFromTheLeadersSnapshot() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, 50)) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      cluster.stop(follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 300; i++) {
          kv.set("key" + i, "value" + i);
        }
      }
      // Snapshots are written off the loop, so the latest one is recorded a moment later.
      long deadline = System.nanoTime() + ELECTION.toNanos();
      while (cluster.server(leader).status().snapshotIndex() <= 200
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(cluster.server(leader).status().snapshotIndex()).isGreaterThan(200);
      cluster.start(follower);
      long target = cluster.server(leader).status().commitIndex();
      long end = System.nanoTime() + ELECTION.toNanos();
      while (cluster.server(follower).status().applied() < target && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      StatusView caughtUp = cluster.server(follower).status();
      assertThat(caughtUp.applied()).isGreaterThanOrEqualTo(target);
      assertThat(caughtUp.snapshotIndex()).as("installed from the leader").isGreaterThan(200);
      cluster.stop(6 - leader - follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        assertThat(kv.get("key299")).isEqualTo("value299");
        assertThat(kv.get("key0")).isEqualTo("value0");
      }
    }
  }

  @Test
  void garbageOnClientAndRedisPortsDoesNotHurt() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(ELECTION);
      Random random = new Random(42);
      for (int id = 1; id <= 3; id++) {
        ReplicaServer s = cluster.server(id);
        for (int port : new int[] {s.clientPort(), s.redisPort(), s.peerPort()}) {
          byte[] junk = new byte[4096];
          random.nextBytes(junk);
          try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(junk);
            out.write("*1\r\n$999999999999\r\n".getBytes());
            out.flush();
          } catch (java.io.IOException ignored) {
            // The replica may close on us mid-write: that is the point.
          }
        }
      }
      assertThat(cluster.awaitLeader(ELECTION)).isEqualTo(leader);
      try (Jedis jedis = new Jedis("127.0.0.1", cluster.server(leader % 3 + 1).redisPort())) {
        assertThat(jedis.set("still", "alive")).isEqualTo("OK");
        assertThat(jedis.get("still")).isEqualTo("alive");
      }
      for (int id = 1; id <= 3; id++) {
        assertThat(cluster.server(id).healthy()).isTrue();
      }
    }
  }

  @Test
  void corruptCommittedLogRecordIsRepairedFromPeersAndNothingIsLost() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      cluster.awaitLeader(ELECTION);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 200; i++) {
          kv.set("key" + i, "value-" + i);
        }
      }
      cluster.stop(1);
      Path segment;
      try (Stream<Path> files = Files.list(cluster.config.dataDirOf(1))) {
        segment = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted()
            .findFirst().orElseThrow();
      }
      byte[] bytes = Files.readAllBytes(segment);
      int written = bytes.length; // the records, without the zeros the log wrote ahead of them
      while (written > 0 && bytes[written - 1] == 0) {
        written--;
      }
      bytes[written / 3] ^= 0x5A;
      Files.write(segment, bytes);
      cluster.start(1);
      assertThat(segment.resolveSibling(segment.getFileName() + ".damaged")).exists();
      // Replica 1 is needed for a majority once another goes: it must have repaired by then.
      int leader = cluster.awaitLeader(ELECTION);
      long deadline = System.nanoTime() + ELECTION.toNanos() * 3;
      while (cluster.server(1).status().commitIndex() < cluster.server(leader).status()
          .commitIndex() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      cluster.stop(leader == 2 ? 3 : 2);
      cluster.awaitLeader(ELECTION);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 200; i++) {
          assertThat(kv.get("key" + i)).isEqualTo("value-" + i);
        }
      }
    }
  }


}
