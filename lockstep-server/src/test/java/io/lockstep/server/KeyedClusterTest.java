package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.net.NetOptions;
import io.lockstep.net.PeerConfig;
import io.lockstep.net.PeerNetwork;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose replicas prove their own keys on the peer port (`lockstep keys`): it elects,
 * serves, and refuses a peer that only knows the shared secret, counting the refusal in the
 * replica's metrics; a replica given the wrong private key file refuses to start. Keys stand in
 * for the secret entirely: without one, a peer with a wrong key is refused, clients prove their
 * keys, and membership commands count only when an operator's key signs them.
 */
class KeyedClusterTest {
  @TempDir Path dir;

  private TestCluster keyed(ClusterKeys keys) throws IOException {
    return new TestCluster(dir.resolve("data"), 3, Service.KV, c -> c.withKeys(keys));
  }

  @Test
  void replicasWithOwnKeysElectServeAndRefuseAPeerWithOnlyTheSharedSecret() throws Exception {
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3), List.of());
    try (TestCluster cluster = keyed(keys)) {
      cluster.start(1);
      cluster.start(2);
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("k", "v");
        assertThat(kv.get("k")).isEqualTo("v");
      }
      // Replica 3's address, the cluster's shared secret, no key: the old way in is closed.
      Map<Integer, InetSocketAddress> peers = cluster.config.peerAddresses();
      try (PeerNetwork impostor = PeerNetwork.start(new PeerConfig(3, peers.get(3), peers,
          cluster.config.name(), TestCluster.SECRET, NetOptions.defaults().withIoThreads(1)),
          (from, payload) -> { })) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cluster.server(leader).metrics().scrape().contains(
            "lockstep_net_rejected_total{port=\"peer\",reason=\"AUTH_MISMATCH\",replica=\""
                + leader + "\"} 1.0") && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(cluster.server(leader).metrics().scrape()).contains(
            "lockstep_net_rejected_total{port=\"peer\",reason=\"AUTH_MISMATCH\",replica=\""
                + leader + "\"}");
        assertThat(droppedWithin(impostor, leader, Duration.ofSeconds(5)))
            .as("the leader dropped the impostor's link").isTrue();
      }
      cluster.start(3);
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("k", "w");
        assertThat(kv.get("k")).isEqualTo("w");
      }
    }
  }

  @Test
  void privateKeyFilesAreOwnerOnlyAndAReplicaWithAnotherReplicasKeyRefusesToStart()
      throws Exception {
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3), List.of("app"));
    assertThat(Files.getPosixFilePermissions(keys.replicaKeyFiles().get(1)))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(Files.getPosixFilePermissions(keys.clientKeyFiles().get("app")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    Map<Integer, Path> swapped = new TreeMap<>(keys.replicaKeyFiles());
    swapped.put(1, keys.replicaKeyFiles().get(2));
    ClusterKeys wrong = new ClusterKeys(keys.replicaKeys(), swapped, keys.clientKeys(),
        keys.clientKeyFiles());
    try (TestCluster cluster = keyed(wrong)) {
      assertThatThrownBy(() -> cluster.start(1)).isInstanceOf(IOException.class)
          .hasMessageContaining("does not match replica.1.public-key");
    }
    assertThatThrownBy(() -> ClusterKeys.generate(dir.resolve("keys"), List.of(1), List.of()))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  /** The same cluster with no shared secret at all (its file names every replica's key). */
  private static ClusterConfig withoutSecret(ClusterConfig config) {
    Properties file = config.toProperties();
    file.remove("cluster.secret");
    try {
      return ClusterConfig.parse(file, "no-secret", Path.of("/"));
    } catch (ConfigException e) {
      throw new AssertionError(e.problems().toString(), e);
    }
  }

  @Test
  void withoutASecretReplicasServeRefuseAWrongKeyAndTakeMembershipCommandsFromOperatorsOnly()
      throws Exception {
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3),
        List.of("ops", "app")).withOperators(Set.of("ops"));
    try (TestCluster cluster = new TestCluster(dir.resolve("data"), 3, Service.KV,
        c -> withoutSecret(c.withKeys(keys)))) {
      assertThat(cluster.config.secret()).isNull();
      cluster.start(1);
      cluster.start(2);
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      Map<Integer, InetSocketAddress> peers = cluster.config.peerAddresses();
      Map<Integer, PublicKey> claimed = new TreeMap<>(keys.replicaKeys());
      KeyPair wrong = Ed25519Signer.generate();
      claimed.put(3, wrong.getPublic());
      // Replica 3's id and address with a key that is not replica 3's: refused.
      try (PeerNetwork impostor = PeerNetwork.start(PeerConfig.keyed(3, peers.get(3), peers,
          cluster.config.name(), NetOptions.defaults().withIoThreads(1), wrong.getPrivate(),
          claimed), (from, payload) -> { })) {
        awaitMetric(cluster.server(leader), "lockstep_net_rejected_total{port=\"peer\","
            + "reason=\"AUTH_MISMATCH\",replica=\"" + leader + "\"}");
        assertThat(droppedWithin(impostor, leader, Duration.ofSeconds(5)))
            .as("the leader dropped the impostor's link").isTrue();
      }
      cluster.start(3);
      try (KvClient kv = new KvClient(LockstepClient.connect(
          ClientOptions.fromConfig(cluster.config, "app")))) {
        kv.set("k", "v");
        assertThat(kv.get("k")).isEqualTo("v");
      }
      try (MemberClient ops = new MemberClient(cluster.config,
          ClientOptions.fromConfig(cluster.config, "ops"))) {
        MemberClient.Outcome list = ops.send(MemberOperation.LIST, -1, -1, Duration.ofSeconds(10));
        assertThat(list.ok()).as(list.text()).isTrue();
      }
      try (MemberClient app = new MemberClient(cluster.config,
          ClientOptions.fromConfig(cluster.config, "app"))) {
        MemberClient.Outcome refused = app.send(MemberOperation.REMOVE, 3, -1,
            Duration.ofSeconds(10));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.text()).contains("not signed by an operator's key");
      }
    }
  }

  private static void awaitMetric(ReplicaServer server, String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!server.metrics().scrape().contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.metrics().scrape()).contains(line);
  }

  /**
   * Whether the impostor's link to {@code leader} is seen closed within {@code bound}. The
   * impostor finishes its side of the handshake (the leader's proof is genuine) before the
   * leader's refusal closes the channel, and it redials: so it may look connected for a moment.
   * Accepted, it would stay connected; refused, it drops.
   */
  private static boolean droppedWithin(PeerNetwork impostor, int leader, Duration bound)
      throws InterruptedException {
    long until = System.nanoTime() + bound.toNanos();
    boolean dropped = !impostor.isConnected(leader);
    while (!dropped && System.nanoTime() < until) {
      Thread.sleep(5);
      dropped = !impostor.isConnected(leader);
    }
    return dropped;
  }
}
