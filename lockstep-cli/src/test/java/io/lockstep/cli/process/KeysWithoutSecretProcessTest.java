package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.LocalLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Four pbft replica processes whose cluster file names every replica's key and no shared
 * secret: they prove their keys to each other, order and answer through the voting proxy, and
 * report nothing wrong.
 */
// Long (-Plong): the server module's keyed-cluster tests run without a secret by default.
@Tag("long")
class KeysWithoutSecretProcessTest {
  @TempDir Path dir;

  @Test
  void aByzantineClusterWithKeysAndNoSecretServesThroughTheVotingProxy() throws Exception {
    try (ByzantineCluster cluster = ByzantineCluster.startWithoutSecret(dir, "")) {
      assertThat(cluster.config.secret()).isNull();
      assertThat(Files.readString(cluster.dir.resolve("data").resolve(LocalLayout.CONFIG_FILE)))
          .doesNotContain("secret");
      try (Jedis redis = cluster.proxy()) {
        for (int i = 0; i < 20; i++) {
          assertThat(redis.set("k" + i, "v" + i)).isEqualTo("OK");
        }
        assertThat(redis.get("k7")).isEqualTo("v7");
      }
      for (int id = 1; id <= ByzantineCluster.REPLICAS; id++) {
        assertThat(cluster.metric(id, "lockstep_net_rejected_total", "port=\"peer\""))
            .as("peer connections refused by replica %d", id).isZero();
      }
    }
  }
}
