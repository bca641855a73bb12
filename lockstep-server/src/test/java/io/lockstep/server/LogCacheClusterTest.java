package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replica servers whose leaders keep only 64 KiB of log payloads in memory
 * ({@code raft.log-cache-bytes}): a follower stopped while the others write far past that
 * catches up from entries its leader reads back from its log files, not from a snapshot, even
 * though snapshots covering what it missed exist.
 */
class LogCacheClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);
  private static final int VALUES = 600;

  @TempDir Path dir;

  private static double counter(ReplicaServer server, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.E]+)$")
        .matcher(server.metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void aFollowerBehindTheCacheCatchesUpFromEntriesReadBackNotFromASnapshot() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, c -> c
        .withSnapshotInterval(200).withProtocolSetting("compaction-margin", "10000")
        .withProtocolSetting("log-cache-bytes", "65536"))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("first", "1");
      }
      cluster.stop(follower);
      String value = "v".repeat(1_000);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < VALUES; i++) {
          kv.set("key" + i, value + i); // ~600 KB: ten times the leader's cache
        }
      }
      cluster.awaitSnapshot(leader, VALUES - 200, ELECTION);
      cluster.start(follower);
      long target = cluster.server(leader).status().commitIndex();
      long end = System.nanoTime() + 3 * ELECTION.toNanos();
      while (cluster.server(follower).status().applied() < target && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(cluster.server(follower).status().applied()).isGreaterThanOrEqualTo(target);
      double read = counter(cluster.server(leader), "lockstep_log_entries_read_total");
      // 482 when last measured: what it missed, less the newest that were still in memory.
      assertThat(read).as("entries the leader read back from disk for the follower")
          .isGreaterThanOrEqualTo(VALUES / 2);
      assertThat(counter(cluster.server(leader), "lockstep_log_reads_failed_total")).isZero();
      cluster.stop(follower);
      assertThat(SnapshotTransferClusterTest.installs(
          cluster.config.dataDirOf(follower).resolve("journal")))
          .as("snapshots the follower installed").isEmpty();
      cluster.start(follower);
      // Without the other replica, every answer needs the caught-up follower.
      cluster.stop(6 - leader - follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        assertThat(kv.get("first")).isEqualTo("1");
        assertThat(kv.get("key0")).isEqualTo(value + 0);
        assertThat(kv.get("key" + (VALUES - 1))).isEqualTo(value + (VALUES - 1));
      }
    }
  }
}
