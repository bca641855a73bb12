package io.lockstep.server;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings for tests where a fifth keyed machine joins a PBFT cluster of four that no file
 * lists it in: PBFT, t = 1, a replica set changed by ordered commands, and a short window so a
 * change takes effect after 32 positions, not 4,096.
 */
final class FiveByzantineMachines {
  private FiveByzantineMachines() {}

  /** All five machines, each with its addresses and key (data and keys under {@code dir}). */
  static ClusterConfig five(Path dir) throws Exception {
    int[] ports = TestCluster.freePorts(20);
    List<ReplicaAddresses> replicas = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      replicas.add(new ReplicaAddresses(i + 1, loop(ports[4 * i]), loop(ports[4 * i + 1]),
          loop(ports[4 * i + 2]), loop(ports[4 * i + 3])));
    }
    return file(dir, replicas, ClusterKeys.generate(dir.resolve("keys"),
        List.of(1, 2, 3, 4, 5), List.of("proxy")));
  }

  /** The originals' file: replicas 1–4 and their keys only; nobody edits it. */
  static ClusterConfig originals(Path dir, ClusterConfig five) {
    ClusterKeys k = five.keys();
    Map<Integer, PublicKey> pub = new TreeMap<>(k.replicaKeys());
    Map<Integer, Path> priv = new TreeMap<>(k.replicaKeyFiles());
    pub.remove(5);
    priv.remove(5);
    return file(dir, five.replicas().subList(0, 4),
        new ClusterKeys(pub, priv, k.clientKeys(), k.clientKeyFiles()));
  }

  private static ClusterConfig file(Path dir, List<ReplicaAddresses> replicas,
      ClusterKeys keys) {
    return ClusterConfig.local("byz", replicas.size(), 20_000, dir.resolve("data"), Service.KV,
        TestCluster.SECRET).withReplicas(replicas).withKeys(keys)
        .withFailureModel(FailureModel.BYZANTINE, 1, "pbft")
        .withProtocolSetting("replica-set", "ordered")
        .withProtocolSetting("checkpoint-interval", "4")
        .withProtocolSetting("window", "8")
        .withProtocolSetting("max-batch", "4");
  }

  private static InetSocketAddress loop(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
