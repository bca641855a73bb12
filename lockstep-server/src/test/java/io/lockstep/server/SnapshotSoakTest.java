package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot soak (X2), not part of the default run: a state of {@code lockstep.soak.bytes}
 * (e.g. 1 GiB) is snapshotted, survives a restart of the replicas that hold it, and is
 * transferred in chunks to a follower whose data directory was wiped. Run it with
 * (three replicas share this JVM, so give it about six times the state):
 *
 * <pre>
 * mvn -pl lockstep-server -am test -Dtest=SnapshotSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dlockstep.soak.bytes=1073741824 -DargLine=-Xmx8g
 * </pre>
 */
@EnabledIfSystemProperty(named = "lockstep.soak.bytes", matches = "\\d+")
class SnapshotSoakTest {
  private static final int VALUE_BYTES = 512 * 1024;
  private static final Duration WAIT = Duration.ofMinutes(10);

  @TempDir Path dir;

  private static String value(int i) {
    return Integer.toString(i % 10).repeat(VALUE_BYTES - 8) + String.format("%08d", i);
  }

  @Test
  void aLargeStateSnapshotsRestartsAndTransfersToAWipedFollower() throws Exception {
    long bytes = Long.getLong("lockstep.soak.bytes");
    int values = (int) (bytes / VALUE_BYTES);
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withSnapshotInterval(Math.max(10, values / 4))
            .withProtocolSetting("compaction-margin", "0")
            .withRedisMaxMemory(bytes + (bytes >> 1) + (64L << 20)))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      int follower = leader % 3 + 1;
      int other = 6 - leader - follower;
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("first", "1");
      }
      cluster.stop(follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < values; i++) {
          kv.set("key" + i, value(i));
        }
      }
      long written = cluster.server(leader).status().commitIndex();
      cluster.awaitSnapshot(leader, written - Math.max(10, values / 4), WAIT);
      // Both replicas that hold the state restart from their snapshots.
      cluster.stop(other);
      cluster.stop(leader);
      cluster.start(leader);
      cluster.start(other);
      leader = cluster.awaitLeader(WAIT);
      other = 6 - leader - follower;

      cluster.wipe(follower);
      cluster.start(follower);
      long target = cluster.server(leader).status().commitIndex();
      long end = System.nanoTime() + WAIT.toNanos();
      while (cluster.server(follower).status().applied() < target && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertThat(cluster.server(follower).status().applied()).isGreaterThanOrEqualTo(target);
      cluster.stop(other);
      try (KvClient kv = new KvClient(cluster.client())) {
        assertThat(kv.get("first")).isEqualTo("1");
        assertThat(kv.get("key" + (values - 1))).isEqualTo(value(values - 1));
      }
    }
  }

}
