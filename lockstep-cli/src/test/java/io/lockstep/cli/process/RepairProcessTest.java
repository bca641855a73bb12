package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.ReplicaHealth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Protocol-aware recovery with real processes: a byte flipped inside a committed entry of a
 * stopped follower's log segment does not keep it down; it restarts, repairs from its peers
 * without voting, reports that it repaired, and then carries the quorum with every acknowledged
 * write intact.
 */
class RepairProcessTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ProcessCluster cluster;

  @AfterEach
  void killEverything() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void followerWithAFlippedByteInItsLogRepairsFromPeersAndThenCarriesTheQuorum()
      throws Exception {
    cluster = ProcessCluster.start(dir, false);
    int leader = cluster.awaitLeader();
    Map<String, String> acknowledged = new LinkedHashMap<>();
    write(leader, 0, 300, acknowledged);
    int follower = leader % 3 + 1;
    cluster.awaitApplied(follower, cluster.health().get(leader - 1).commitIndex(), PATIENCE);
    cluster.processes.kill(follower);

    Path segment = cluster.segments(follower).get(0);
    flipByteInside(segment, "value-150-");
    cluster.processes.startReplica(follower);

    awaitConsole(follower, "event=repair_finished");
    assertThat(cluster.console(follower)).contains("damaged_storage=repairing")
        .contains("event=repair_started");
    assertThat(Path.of(segment + ".damaged")).exists();
    String metrics = metrics(follower);
    String label = "{replica=\"" + follower + "\"} ";
    assertThat(metrics).contains("lockstep_repairs_total" + label + "1.0")
        .contains("lockstep_repairing" + label + "0.0");
    ReplicaHealth health = awaitHealthy(follower);
    assertThat(health.healthy()).isTrue();
    readAll(follower, acknowledged);

    // The third replica goes: the repaired one is now needed for every quorum.
    int other = 6 - leader - follower;
    cluster.processes.kill(leader);
    int next = cluster.awaitLeader(leader, PATIENCE);
    assertThat(next).isIn(follower, other);
    write(follower, 300, 350, acknowledged);
    readAll(other, acknowledged);
    readAll(follower, acknowledged);
  }

  private void write(int via, int from, int to, Map<String, String> acknowledged) {
    try (Jedis jedis = cluster.jedis(via)) {
      for (int i = from; i < to; i++) {
        String key = "key-" + i;
        String value = "value-" + i + "-" + "x".repeat(24);
        assertThat(jedis.set(key, value)).isEqualTo("OK");
        acknowledged.put(key, value);
      }
    }
  }

  private void readAll(int via, Map<String, String> acknowledged) {
    try (Jedis jedis = cluster.jedis(via)) {
      acknowledged.forEach((key, value) ->
          assertThat(jedis.get(key)).as("acknowledged %s read through %d", key, via)
              .isEqualTo(value));
    }
  }

  /** Flips one bit of the first occurrence of {@code marker}: inside that entry's command. */
  private static void flipByteInside(Path segment, String marker) throws Exception {
    byte[] bytes = Files.readAllBytes(segment);
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, needle);
    assertThat(at).as("%s holds %s", segment, marker).isNotNegative();
    bytes[at + needle.length - 2] ^= 0x01;
    Files.write(segment, bytes);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void awaitConsole(int id, String text) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!cluster.console(id).contains(text)) {
      assertThat(System.nanoTime()).as("replica %d logs %s; console: %s; exits: %s", id, text,
          cluster.console(id), cluster.events).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private ReplicaHealth awaitHealthy(int id) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    ReplicaHealth health = cluster.health().get(id - 1);
    while (!health.healthy() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      health = cluster.health().get(id - 1);
    }
    return health;
  }

  private String metrics(int id) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.metricsPort(id) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
