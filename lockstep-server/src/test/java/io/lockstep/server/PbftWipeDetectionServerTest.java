package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PBFT backup whose data directory is wiped and that is started again <em>without</em> the
 * operator's {@code rejoin-empty} file: t+1 peers remember another incarnation of it, so it
 * rejoins in repair mode on its own (the {@code lockstep_repairing} gauge says so), votes
 * nowhere until it has executed past a proven checkpoint plus the window, then carries the
 * 2t+1 quorum when another replica stops, with every acknowledged write readable.
 */
class PbftWipeDetectionServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private ClusterConfig config() throws Exception {
    int[] ports = TestCluster.freePorts(16);
    List<ReplicaAddresses> replicas = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      replicas.add(new ReplicaAddresses(i + 1, loop(ports[4 * i]), loop(ports[4 * i + 1]),
          loop(ports[4 * i + 2]), loop(ports[4 * i + 3])));
    }
    // A short window, so that the repair ends after a few dozen writes, not thousands.
    return ClusterConfig.local("byz", 4, 20_000, dir.resolve("data"), Service.KV,
        TestCluster.SECRET).withReplicas(replicas)
        .withKeys(ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 4),
            List.of("proxy")))
        .withFailureModel(FailureModel.BYZANTINE, 1, "pbft")
        .withProtocolSetting("checkpoint-interval", "4")
        .withProtocolSetting("window", "8")
        .withProtocolSetting("max-batch", "4");
  }

  @Test
  void aBackupWipedWithoutRejoinEmptyIsToldByItsPeersAndRepairsBeforeItVotes() throws Exception {
    ClusterConfig config = config();
    ReplicaServer[] servers = new ReplicaServer[4];
    Map<String, String> acknowledged = new TreeMap<>();
    try {
      for (int i = 1; i <= 4; i++) {
        servers[i - 1] = ReplicaServer.start(config, i);
      }
      ClientOptions options = ClientOptions.fromConfig(config, "proxy")
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30));
      try (LockstepClient client = LockstepClient.connect(options)) {
        KvClient kv = new KvClient(client);
        write(kv, acknowledged, "before", 40);
        int wiped = 3; // a backup: the primary of view 0 is replica 1
        servers[wiped - 1].close();
        try (Stream<Path> files = Files.walk(config.dataDirOf(wiped))) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        assertThat(Files.exists(config.dataDirOf(wiped))).isFalse();
        servers[wiped - 1] = ReplicaServer.start(config, wiped);
        String label = "{replica=\"" + wiped + "\"} ";
        await(servers[wiped - 1], "lockstep_repairing" + label + "1.0");
        // Nothing is written meanwhile, so the repair cannot have ended: without the check
        // the replica would have taken itself for new and never shown the gauge at 1.
        write(kv, acknowledged, "during", 60);
        await(servers[wiped - 1], "lockstep_repairs_total" + label + "1.0");
        assertThat(servers[wiped - 1].metrics().scrape())
            .contains("lockstep_repairing" + label + "0.0");
        // Replica 4 stops: 1, 2 and 3 are 2t+1, so every write now needs the wiped one's vote.
        servers[3].close();
        servers[3] = null;
        write(kv, acknowledged, "after", 10);
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(kv.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
      }
    } finally {
      for (ReplicaServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private static void await(ReplicaServer server, String line) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!server.metrics().scrape().contains(line) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(server.metrics().scrape()).as("metrics show %s", line).contains(line);
  }

  private static void write(KvClient kv, Map<String, String> acknowledged, String prefix,
      int count) {
    for (int i = 0; i < count; i++) {
      String key = prefix + "-" + i;
      kv.set(key, key);
      acknowledged.put(key, key);
    }
  }

  private static InetSocketAddress loop(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
