package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four PBFT replicas over TCP with a snapshot interval far below one write's share of positions
 * (a PBFT sequence number spans max-batch positions): a replica writes only the state of the
 * checkpoints it votes for, never a periodic snapshot of the runtime's, which no snapshot file
 * would refer to and which would therefore stay on disk until the next start.
 */
class PbftSnapshotFilesServerTest {
  private static final Pattern STATE = Pattern.compile("snapshot-(\\d{20})\\.state");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void noStateFileIsLeftThatNoSnapshotFileRefersTo() throws Exception {
    ClusterConfig config = ClusterConfig.local("snapshots", 4, 20_000, dir.resolve("data"),
        Service.KV, TestCluster.SECRET).withReplicas(TestCluster.loopbackReplicas(4))
        .withSnapshotInterval(100)
        .withKeys(ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 4),
            List.of("proxy")))
        .withFailureModel(FailureModel.BYZANTINE, 1, "pbft");
    ReplicaServer[] servers = new ReplicaServer[4];
    try {
      for (int id = 1; id <= 4; id++) {
        servers[id - 1] = ReplicaServer.start(config, id);
      }
      try (LockstepClient client = LockstepClient.connect(
          ClientOptions.fromConfig(config, "proxy").withTimeouts(WAIT, WAIT))) {
        KvClient kv = new KvClient(client);
        for (int i = 0; i < 20; i++) {
          kv.set("k" + i, "v" + i);
        }
        assertThat(kv.get("k19")).isEqualTo("v19");
      }
    } finally {
      for (ReplicaServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
    for (int id = 1; id <= 4; id++) {
      assertThat(unreferencedStateFiles(config.dataDirOf(id)))
          .as("state files of replica %d without a snapshot file", id).isEmpty();
    }
  }

  private static List<Path> unreferencedStateFiles(Path replicaDir) throws IOException {
    try (Stream<Path> files = Files.list(replicaDir)) {
      List<Path> all = files.toList();
      return all.stream().filter(file -> {
        Matcher state = STATE.matcher(file.getFileName().toString());
        return state.matches() && all.stream().noneMatch(other -> other.getFileName().toString()
            .startsWith("snapshot-" + state.group(1) + "-"));
      }).toList();
    }
  }
}
