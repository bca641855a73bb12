package io.lockstep.server;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Three in-process replicas of Byzantine {@code replica-uid} (2t+1 with t = 1) on loopback,
 * with keys for the replicas and for {@code clients}: for tests of client-signed requests.
 */
final class ByzantineUidCluster implements AutoCloseable {
  final ClusterConfig config;
  final ReplicaServer[] servers = new ReplicaServer[3];

  ByzantineUidCluster(Path dir, List<String> clients) throws IOException {
    this(config(dir, clients));
  }

  /** The three replicas of {@code config}, e.g. {@link #config} with a test-only lie added. */
  ByzantineUidCluster(ClusterConfig config) throws IOException {
    this.config = config;
    for (int id = 1; id <= 3; id++) {
      servers[id - 1] = ReplicaServer.start(config, id);
    }
  }

  /** The cluster's file: fresh loopback ports, keys generated under {@code dir}. */
  static ClusterConfig config(Path dir, List<String> clients) throws IOException {
    int[] ports = TestCluster.freePorts(12);
    List<ReplicaAddresses> replicas = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      replicas.add(new ReplicaAddresses(i + 1, loop(ports[4 * i]), loop(ports[4 * i + 1]),
          loop(ports[4 * i + 2]), loop(ports[4 * i + 3])));
    }
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3), clients);
    // Wide bounds for a shared, loaded machine: a pause past them would look like a failure.
    return ClusterConfig.local("signed", 3, 20_000, dir.resolve("data"), Service.KV,
        TestCluster.SECRET).withReplicas(replicas).withKeys(keys)
        .withFailureModel(FailureModel.BYZANTINE, 1, "replica-uid")
        .withProtocolSetting("failure-timeout-ms", "3000")
        .withProtocolSetting("start-timeout-ms", "30000")
        .withProtocolSetting("round-ms", "600") // each setting is checked as it is added
        .withProtocolSetting("max-delay-ms", "500");
  }

  void stop(int id) {
    servers[id - 1].close();
    servers[id - 1] = null;
  }

  @Override
  public void close() {
    for (ReplicaServer s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  private static InetSocketAddress loop(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
