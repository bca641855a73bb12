package io.lockstep.server;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockstepClient;
import io.lockstep.net.LoopbackPorts;
import io.lockstep.order.Role;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** Several ReplicaServers in one JVM on loopback, with real files: for integration tests. */
final class TestCluster implements AutoCloseable {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

  final ClusterConfig config;
  final ReplicaServer[] servers;

  TestCluster(Path dir, int n, Service service) throws IOException {
    this(dir, n, service, 100_000);
  }

  /** A cluster whose configuration {@code change} adjusts (e.g. per-client secrets). */
  TestCluster(Path dir, int n, Service service, UnaryOperator<ClusterConfig> change)
      throws IOException {
    TestCluster base = new TestCluster(dir, n, service);
    this.config = change.apply(base.config);
    this.servers = new ReplicaServer[n];
  }

  /**
   * A cluster taking a snapshot every {@code snapshotInterval} positions and keeping no entries
   * below it in memory (compaction margin 0), so that a follower behind gets the snapshot.
   */
  TestCluster(Path dir, int n, Service service, long snapshotInterval) throws IOException {
    config = ClusterConfig.local("test", n, 20_000, dir, service, SECRET)
        .withReplicas(loopbackReplicas(n))
        .withSnapshotInterval(snapshotInterval).withProtocolSetting("compaction-margin", "0");
    servers = new ReplicaServer[n];
  }

  static TestCluster started(Path dir, int n, Service service) throws IOException {
    TestCluster cluster = new TestCluster(dir, n, service);
    for (int i = 1; i <= n; i++) {
      cluster.start(i);
    }
    return cluster;
  }

  void start(int id) throws IOException {
    servers[id - 1] = ReplicaServer.start(config, id);
  }

  /** Starts replica {@code id} with a fault switch on its disk. */
  void start(int id, io.lockstep.storage.DiskFaults faults) throws IOException {
    io.lockstep.machine.StateMachine machine = config.service() == Service.KV
        ? new io.lockstep.redis.RedisStore() : new io.lockstep.server.lock.LockService();
    servers[id - 1] = ReplicaServer.start(config, id, machine, faults);
  }

  /** Starts replica {@code id} running {@code machine} instead of the service's own. */
  void start(int id, io.lockstep.machine.StateMachine machine) throws IOException {
    servers[id - 1] = ReplicaServer.start(config, id, machine);
  }

  void stop(int id) {
    servers[id - 1].close();
    servers[id - 1] = null;
  }

  ReplicaServer server(int id) {
    return servers[id - 1];
  }

  /** Waits until exactly one running replica leads and all running ones agree; returns its id. */
  int awaitLeader(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      List<ReplicaServer> up = Arrays.stream(servers).filter(s -> s != null).toList();
      List<ReplicaServer> leaders = up.stream()
          .filter(s -> s.status().role() == Role.LEADER).toList();
      if (leaders.size() == 1) {
        int leader = leaders.get(0).id();
        long term = leaders.get(0).status().term();
        if (up.stream().allMatch(s -> s.status().leader() == leader
            && s.status().term() == term)) {
          return leader;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no stable leader within " + timeout);
  }

  /**
   * Waits until a running replica leads with the combining condition's margin {@code margin}
   * (whichever replica: under load an election may move the leader); returns its status.
   */
  StatusView awaitLeaderMargin(int margin, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<StatusView> seen = List.of();
    while (System.nanoTime() < deadline) {
      seen = Arrays.stream(servers).filter(s -> s != null).map(ReplicaServer::status).toList();
      for (StatusView status : seen) {
        if (status.role() == Role.LEADER && status.margin() != null
            && status.margin() == margin) {
          return status;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader's margin became " + margin + ": " + seen);
  }

  LockstepClient client() {
    return LockstepClient.connect(clientOptions());
  }

  /** Options to reach this cluster's client ports (a random client id, no secret). */
  ClientOptions clientOptions() {
    return ClientOptions.of("test",
        config.replicas().stream().map(ReplicaAddresses::client).toList())
        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    for (ReplicaServer s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  /** Replicas 1 to {@code n} on loopback, each with four free ports of its own. */
  static List<ReplicaAddresses> loopbackReplicas(int n) {
    List<ReplicaAddresses> replicas = new ArrayList<>();
    int[] ports = freePorts(4 * n);
    for (int i = 0; i < n; i++) {
      replicas.add(new ReplicaAddresses(i + 1, loop(ports[4 * i]), loop(ports[4 * i + 1]),
          loop(ports[4 * i + 2]), loop(ports[4 * i + 3])));
    }
    return replicas;
  }

  private static InetSocketAddress loop(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  static int[] freePorts(int count) {
    return LoopbackPorts.free(count);
  }

  /** Waits until replica {@code id} has a snapshot at or above {@code index}, then asserts it. */
  void awaitSnapshot(int id, long index, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (server(id).status().snapshotIndex() < index && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    org.assertj.core.api.Assertions.assertThat(server(id).status().snapshotIndex())
        .isGreaterThanOrEqualTo(index);
  }

  /** Deletes replica {@code id}'s whole data directory (it must be stopped). */
  void wipe(int id) throws IOException {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(config.dataDirOf(id))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
