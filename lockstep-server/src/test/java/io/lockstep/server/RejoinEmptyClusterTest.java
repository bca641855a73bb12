package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import io.lockstep.storage.FileStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose data directory is wiped looks like a new replica, though it may have voted
 * and acknowledged entries before. With the operator's {@code rejoin-empty} file it rejoins in
 * repair mode (no vote, no counted acknowledgement), catches up from the first entry, finishes
 * the repair, and then carries the quorum with every acknowledged write.
 */
class RejoinEmptyClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aFollowerWipedWhileUpToDateRejoinsInRepairModeAndCatchesUp() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, 100_000)) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      int other = 6 - leader - follower;
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 50; i++) {
          kv.set("key" + i, "value" + i);
        }
      }
      long target = cluster.server(leader).status().commitIndex();
      awaitApplied(cluster, follower, target);
      cluster.stop(follower);
      cluster.wipe(follower);
      Files.createDirectories(cluster.config.dataDirOf(follower));
      Files.createFile(cluster.config.dataDirOf(follower).resolve(FileStorage.REJOIN_EMPTY));
      cluster.start(follower);
      awaitApplied(cluster, follower, target);
      assertThat(cluster.server(follower).status().applied()).isGreaterThanOrEqualTo(target);
      String label = "{replica=\"" + follower + "\"} ";
      long end = System.nanoTime() + ELECTION.toNanos();
      while (!cluster.server(follower).metrics().scrape()
          .contains("lockstep_repairs_total" + label + "1.0") && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(cluster.server(follower).metrics().scrape())
          .as("it rejoined in repair mode and finished the repair")
          .contains("lockstep_repairs_total" + label + "1.0")
          .contains("lockstep_repairing" + label + "0.0");
      // Without the other follower, every answer needs the rejoined one.
      cluster.stop(other);
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("after", "rejoined");
        assertThat(kv.get("key0")).isEqualTo("value0");
        assertThat(kv.get("key49")).isEqualTo("value49");
        assertThat(kv.get("after")).isEqualTo("rejoined");
      }
    }
  }

  private static void awaitApplied(TestCluster cluster, int id, long target)
      throws InterruptedException {
    long end = System.nanoTime() + ELECTION.toNanos();
    while (cluster.server(id).status().applied() < target && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }
}
