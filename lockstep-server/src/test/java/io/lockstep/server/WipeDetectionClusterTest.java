package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose data directory is wiped and that is started again <em>without</em> the
 * operator's {@code rejoin-empty} file: its peers remember another incarnation of it, so it
 * rejoins in repair mode on its own (no vote, no counted acknowledgement), catches up, and only
 * then votes and carries the quorum, with every acknowledged write.
 */
class WipeDetectionClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aFollowerWipedWithoutRejoinEmptyIsToldByItsPeersAndRepairsBeforeItCounts()
      throws Exception {
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
      assertThat(Files.exists(cluster.config.dataDirOf(follower))).isFalse();
      cluster.start(follower);
      String label = "{replica=\"" + follower + "\"} ";
      long end = System.nanoTime() + ELECTION.toNanos();
      while (!cluster.server(follower).metrics().scrape()
          .contains("lockstep_repairs_total" + label + "1.0") && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(cluster.server(follower).metrics().scrape())
          .as("the wipe was found and the replica repaired (without the check it would take"
              + " itself for new and never repair)")
          .contains("lockstep_repairs_total" + label + "1.0")
          .contains("lockstep_repairing" + label + "0.0");
      assertThat(cluster.server(follower).status().applied())
          .as("the repair, and so the ban on voting, lasted until it had caught up")
          .isGreaterThanOrEqualTo(target);
      // Without the leader, the other follower can only be elected with the wiped one's vote
      // (or the wiped one with the other's), and every answer needs the wiped one.
      cluster.stop(leader);
      int next = cluster.awaitLeader(ELECTION);
      assertThat(next).isIn(follower, other);
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("after", "wiped");
        for (int i = 0; i < 50; i++) {
          assertThat(kv.get("key" + i)).isEqualTo("value" + i);
        }
        assertThat(kv.get("after")).isEqualTo("wiped");
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
