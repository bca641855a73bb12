package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.LocalCluster;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.net.LoopbackPorts;
import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A 3-replica cluster of real replica processes on free loopback ports in a test's temporary
 * directory, optionally with a {@link LinkProxy} on every directed peer link.
 */
final class ProcessCluster implements AutoCloseable {
  /** Faster JIT warm-up matters more than peak speed in these short tests. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  static final String SECRET = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  final Path dir;
  final int size;
  final int[][] ports;
  final Map<Integer, Map<Integer, LinkProxy>> links = new TreeMap<>();
  final Map<Integer, Path> configFiles = new TreeMap<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  final ClusterConfig config;
  /** Lines added to every replica's cluster file (e.g. {@code digest.interval=20}). */
  private final String extraProperties;
  LocalCluster processes;

  private ProcessCluster(Path dir, int size, boolean proxied, String extraProperties)
      throws Exception {
    this.dir = dir;
    this.size = size;
    this.extraProperties = extraProperties;
    this.ports = new int[size + 1][];
    // Below the ephemeral range, where the link proxies' own ports (bind 0) never land.
    int[] fresh = LoopbackPorts.free(4 * size);
    for (int i = 1; i <= size; i++) {
      ports[i] = Arrays.copyOfRange(fresh, 4 * (i - 1), 4 * i);
    }
    writeConfigs(proxied);
    this.config = ClusterConfig.load(configFiles.get(1));
  }

  private void writeConfigs(boolean proxied) throws IOException {
    for (int i = 1; i <= size; i++) {
      Map<Integer, Integer> peerPorts = new TreeMap<>();
      for (int j = 1; j <= size; j++) {
        int port = ports[j][0];
        if (proxied && i != j) {
          LinkProxy proxy = new LinkProxy(port);
          links.computeIfAbsent(i, k -> new TreeMap<>()).put(j, proxy);
          port = proxy.port();
        }
        peerPorts.put(j, port);
      }
      Path file = dir.resolve("cluster-" + i + ".properties");
      Files.writeString(file, properties(peerPorts), StandardCharsets.UTF_8);
      configFiles.put(i, file);
    }
  }

  /** Writes the configs and starts every replica process. */
  static ProcessCluster start(Path dir, boolean proxied) throws Exception {
    return start(dir, proxied, "");
  }

  /** As {@link #start(Path, boolean)}, with {@code extraProperties} in every cluster file. */
  static ProcessCluster start(Path dir, boolean proxied, String extraProperties)
      throws Exception {
    return start(dir, proxied, extraProperties, JVM_OPTIONS);
  }

  /** As {@link #start(Path, boolean, String)}, each replica's JVM with {@code jvmOptions}. */
  static ProcessCluster start(Path dir, boolean proxied, String extraProperties,
      List<String> jvmOptions) throws Exception {
    ProcessCluster c = new ProcessCluster(dir, 3, proxied, extraProperties);
    c.processes = LocalCluster.start(System.getProperty("java.class.path"), jvmOptions,
        c.configFiles, dir, c.events::add);
    return c;
  }

  /**
   * A cluster running the user's state machine {@code type}, which its processes can only load
   * from {@code jar} ({@code lockstep replica --machine CLASS --classpath JAR}).
   */
  static ProcessCluster startMachine(Path dir, Class<?> type, MachineJar jar,
      String extraProperties) throws Exception {
    String machine = "cluster.service=machine\ncluster.machine=" + type.getName() + "\n";
    ProcessCluster c = new ProcessCluster(dir, 3, false, machine + extraProperties);
    c.processes = LocalCluster.start(jar.childClasspath(), JVM_OPTIONS, List.of("--machine",
        type.getName(), "--classpath", jar.jar().toString()), c.configFiles, dir, c.events::add);
    return c;
  }

  private String properties(Map<Integer, Integer> peerPorts) {
    StringBuilder out = new StringBuilder("cluster.name=test\ncluster.failure-model=fail-stop\n"
        + "cluster.t=1\ncluster.protocol=raft\ncluster.service=kv\ncluster.data-dir=.\n"
        + "cluster.secret=" + SECRET + "\nruntime.request-timeout-ms=3000\n");
    for (int i = 1; i <= size; i++) {
      out.append("replica.").append(i).append(".peer=127.0.0.1:").append(peerPorts.get(i))
          .append("\nreplica.").append(i).append(".client=127.0.0.1:").append(ports[i][1])
          .append("\nreplica.").append(i).append(".redis=127.0.0.1:").append(ports[i][2])
          .append("\nreplica.").append(i).append(".metrics=127.0.0.1:").append(ports[i][3])
          .append('\n');
    }
    return out.append(extraProperties).toString();
  }

  int peerPort(int id) {
    return ports[id][0];
  }

  int clientPort(int id) {
    return ports[id][1];
  }

  int redisPort(int id) {
    return ports[id][2];
  }

  int metricsPort(int id) {
    return ports[id][3];
  }

  /** A Jedis connection to replica {@code id}'s Redis port. */
  Jedis jedis(int id) {
    return new Jedis(new HostAndPort("127.0.0.1", redisPort(id)),
        DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000)
            .socketTimeoutMillis(5000).build());
  }

  /**
   * A Jedis connection to replica {@code id}'s Redis port once it accepts connections: a
   * restarted replica may still be starting when the others already elected a leader.
   */
  Jedis jedisWhenListening(int id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (java.net.Socket probe = new java.net.Socket()) {
        probe.connect(new java.net.InetSocketAddress("127.0.0.1", redisPort(id)), 200);
        return jedis(id);
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("replica " + id + "'s Redis port " + redisPort(id)
              + " did not open within " + timeout + "; unexpected exits: " + events, notYet);
        }
        Thread.sleep(100);
      }
    }
  }

  List<ReplicaHealth> health() {
    try (HealthProbe probe = new HealthProbe(config)) {
      return probe.all();
    }
  }

  /** Waits for a leader other than {@code not} (0 = any) and returns its id. */
  int awaitLeader(int not, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ReplicaHealth> last = List.of();
    while (System.nanoTime() < deadline) {
      last = health();
      Optional<ReplicaHealth> leader = HealthProbe.leader(last);
      if (leader.isPresent() && leader.get().id() != not) {
        return leader.get().id();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader (other than " + not + ") within " + timeout + ": " + last
        + "; unexpected exits: " + events);
  }

  int awaitLeader() throws InterruptedException {
    return awaitLeader(0, Duration.ofSeconds(30));
  }

  /** Waits until replica {@code id} has applied at least {@code position}. */
  void awaitApplied(int id, long position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReplicaHealth h = null;
    while (System.nanoTime() < deadline) {
      h = health().get(id - 1);
      if (h.reachable() && h.applied() >= position) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + " did not apply position " + position + " within "
        + timeout + ": " + h);
  }

  /** Cuts every peer link to and from replica {@code id}. */
  void cutOff(int id) {
    forLinksOf(id, LinkProxy::cut);
  }

  void heal(int id) {
    forLinksOf(id, LinkProxy::heal);
  }

  private void forLinksOf(int id, java.util.function.Consumer<LinkProxy> action) {
    assertThat(links).as("cluster started with proxies").isNotEmpty();
    links.forEach((from, tos) -> tos.forEach((to, proxy) -> {
      if (from == id || to == id) {
        action.accept(proxy);
      }
    }));
  }

  /** Replica {@code id}'s stdout and stderr so far. */
  String console(int id) throws IOException {
    Path log = processes.consoleLog(id);
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Replica {@code id}'s segment files, in order. */
  List<Path> segments(int id) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var files = Files.newDirectoryStream(dir.resolve(Integer.toString(id)), "segment-*.log")) {
      files.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  /** Kills every replica process at once (tests need no graceful stop) and the proxies. */
  @Override
  public void close() throws Exception {
    if (processes != null) {
      for (int id : processes.ids()) {
        try {
          processes.kill(id);
        } catch (IllegalArgumentException e) {
          // never started
        }
      }
    }
    for (Map<Integer, LinkProxy> tos : links.values()) {
      for (LinkProxy p : tos.values()) {
        p.close();
      }
    }
  }
}
