package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X2 with a state of tens of MB: snapshots are written off the loop by the snapshot thread, and
 * a follower whose data directory was wiped catches up from the leader's snapshot in chunks.
 */
class SnapshotCatchUpTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);
  private static final int VALUES = 320;
  private static final int VALUE_BYTES = 100 * 1024;

  @TempDir Path dir;

  private static String value(int i) {
    return Integer.toString(i % 10).repeat(VALUE_BYTES - 8) + String.format("%08d", i);
  }

  /**
   * The follower is stopped early (it has voted and acknowledged the first entries), the others
   * write ~32 MB and compact past what it holds, its directory is wiped, and it restarts empty:
   * the leader's probe finds it behind the log's start and sends the snapshot in chunks. (A
   * follower wiped while it was up to date: {@link RejoinEmptyClusterTest}.)
   */
  @Test
  void aWipedFollowerCatchesUpFromASnapshotOfTensOfMegabytes() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, 100)) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      int other = 6 - leader - follower;
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("first", "1");
      }
      cluster.stop(follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < VALUES; i++) {
          kv.set("key" + i, value(i));
        }
      }
      cluster.awaitSnapshot(leader, 300, ELECTION);
      Path stateFile = stateFile(cluster.config.dataDirOf(leader));
      assertThat(Files.size(stateFile)).as("the leader's state file").isGreaterThan(25L << 20);

      cluster.wipe(follower);
      cluster.start(follower);
      long target = cluster.server(leader).status().commitIndex();
      long end = System.nanoTime() + 3 * ELECTION.toNanos();
      while (cluster.server(follower).status().applied() < target && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      StatusView caughtUp = cluster.server(follower).status();
      assertThat(caughtUp.applied()).isGreaterThanOrEqualTo(target);
      assertThat(caughtUp.snapshotIndex()).as("installed from the leader")
          .isGreaterThanOrEqualTo(300);
      // Without the other replica, every answer needs the caught-up follower.
      cluster.stop(other);
      try (KvClient kv = new KvClient(cluster.client())) {
        assertThat(kv.get("first")).isEqualTo("1");
        assertThat(kv.get("key0")).isEqualTo(value(0));
        assertThat(kv.get("key" + (VALUES - 1))).isEqualTo(value(VALUES - 1));
      }
    }
  }

  private static Path stateFile(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.list(dataDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".state"))
          .max(Comparator.naturalOrder()).orElseThrow();
    }
  }
}
