package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.LocalCluster;
import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.RedisProxy;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.Jedis;

/**
 * Four pbft replica processes (t = 1) laid out as {@code lockstep local --failure-model
 * byzantine} lays them out (same ports, keys and config file, {@link LocalLayout}), plus lines
 * of the test's own in the cluster file (e.g. {@code pbft.test-byzantine-behaviour.2=...}), and
 * the voting Redis proxy in the test's JVM. The tests that check {@code lockstep local} itself
 * start it as a process instead.
 */
final class ByzantineCluster implements AutoCloseable {
  static final int REPLICAS = 4;

  final Path dir;
  final int base;
  final ClusterConfig config;
  final List<String> events;
  final LocalCluster processes;
  private final RedisProxy proxy;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ByzantineCluster(Path dir, int base, LocalLayout layout, LocalCluster processes,
      List<String> events) throws Exception {
    this.dir = dir;
    this.events = events;
    this.base = base;
    this.config = ClusterConfig.load(layout.configFile());
    this.processes = processes;
    this.proxy = RedisProxy.start(ClientOptions.fromConfig(config, LocalLayout.PROXY_CLIENT),
        "127.0.0.1", 0, null);
  }

  /**
   * Lays out and starts the replicas on free ports. Ports are probed, then bound by the
   * replicas a moment later; a cluster another test JVM starts meanwhile may take them, and then
   * every replica refuses to start ("Address already in use"). That is the harness's race, not
   * the product's, so the cluster is laid out again on other ports, up to three times.
   */
  private static ByzantineCluster launch(Path dir, String extraProperties, boolean secret)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      int base = FreePorts.basePort(REPLICAS);
      Path data = dir.resolve("data");
      deleteTree(data);
      LocalLayout layout = new LocalLayout(data, REPLICAS, base, Service.KV, null,
          FailureModel.BYZANTINE);
      layout.prepare();
      if (!secret) {
        // The layout's keys name every replica: they stand in for the shared secret.
        String file = Files.readString(layout.configFile(), StandardCharsets.UTF_8);
        Files.writeString(layout.configFile(), file.replaceAll(
            "(?m)^cluster\\.secret-file=.*\n", ""), StandardCharsets.UTF_8);
      }
      // Later lines win in a properties file, so these override the layout's defaults too.
      Files.writeString(layout.configFile(), extraProperties, StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      ClusterConfig config = ClusterConfig.load(layout.configFile());
      List<String> events = new CopyOnWriteArrayList<>();
      LocalCluster processes = LocalCluster.start(System.getProperty("java.class.path"),
          ProcessCluster.JVM_OPTIONS, LocalCluster.sameFile(config.members(),
              layout.configFile()), layout.dataDir(), events::add);
      String refused = awaitAllHealthy(config, processes, events);
      if (refused == null) {
        return new ByzantineCluster(dir, base, layout, processes, events);
      }
      processes.close();
      assertThat(refused.contains("Address already in use") && attempt < 3)
          .as("every replica refused to start (attempt %d); their consoles:%n%s", attempt,
              refused)
          .isTrue();
    }
  }

  /** Lays out and starts the cluster and its proxy, every replica healthy. */
  static ByzantineCluster start(Path dir, String extraProperties) throws Exception {
    return launch(dir, extraProperties, true);
  }

  /** As {@link #start}, with a cluster file that has no shared secret (keys only). */
  static ByzantineCluster startWithoutSecret(Path dir, String extraProperties) throws Exception {
    return launch(dir, extraProperties, false);
  }

  /**
   * A second proxy whose client takes the first reply it gets (fail-stop voting), as a client
   * that trusted one replica would: for showing that a lie gets through such a voter. The
   * caller closes it.
   */
  RedisProxy firstReplyProxy() {
    return RedisProxy.start(ClientOptions.fromConfig(config, LocalLayout.PROXY_CLIENT)
        .withFailureModel(FailureModel.FAIL_STOP), "127.0.0.1", 0, null);
  }

  /** A Redis client of the voting proxy. */
  Jedis proxy() {
    return new Jedis("127.0.0.1", proxy.port(), 15_000);
  }

  /** A Redis client of replica {@code id}'s own port (it answers unvoted). */
  Jedis replica(int id) {
    return new Jedis("127.0.0.1", base + id, 15_000);
  }

  /** Replica {@code id}'s /health JSON. */
  String health(int id) throws Exception {
    return get(id, "/health");
  }

  /** How many messages replica {@code id}'s protocol dropped for {@code reason}, per /metrics. */
  double drops(int id, String reason) throws Exception {
    return metric(id, "lockstep_protocol_dropped_total", "reason=\"" + reason + "\"");
  }

  /**
   * The sum of replica {@code id}'s Prometheus samples named {@code name} whose labels include
   * every one of {@code labels} (each written as {@code key="value"}).
   */
  double metric(int id, String name, String... labels) throws Exception {
    double total = 0;
    for (String line : get(id, "/metrics").split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /** Every drop reason replica {@code id} shows, for failure messages. */
  String dropLines(int id) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String line : get(id, "/metrics").split("\n")) {
      if (line.startsWith("lockstep_protocol_dropped_total{")) {
        out.append(line).append("; ");
      }
    }
    return out.toString();
  }

  /** Replica {@code id}'s log file. */
  String log(int id) throws Exception {
    return Files.readString(config.dataDir().resolve(id + "/replica.log"),
        StandardCharsets.UTF_8);
  }

  /** The replicas' health as the launcher sees it (role, view as term, primary as leader). */
  List<ReplicaHealth> healths() {
    try (HealthProbe probe = new HealthProbe(config)) {
      return probe.all();
    }
  }

  private String get(int id, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 300 + id)
        + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * Waits until every replica is healthy (null), or every one has exited (their consoles'
   * text): a cluster whose replicas all refused to start will never be healthy, so waiting out
   * the minute would only hide why.
   */
  private static String awaitAllHealthy(ClusterConfig config, LocalCluster processes,
      List<String> events) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (HealthProbe probe = new HealthProbe(config)) {
      List<ReplicaHealth> all = probe.all();
      while (!all.stream().allMatch(ReplicaHealth::healthy)) {
        if (processes.ids().stream().noneMatch(id -> processes.replica(id).isAlive())) {
          StringBuilder consoles = new StringBuilder();
          for (int id : processes.ids()) {
            Path console = processes.consoleLog(id);
            consoles.append("replica ").append(id).append(": ")
                .append(Files.exists(console) ? Files.readString(console) : "(no console)")
                .append('\n');
          }
          return consoles.toString();
        }
        assertThat(System.nanoTime()).as("every replica healthy: %s; events %s", all, events)
            .isLessThan(deadline);
        Thread.sleep(200);
        all = probe.all();
      }
    }
    return null;
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public void close() {
    if (proxy != null) {
      proxy.close();
    }
    processes.close();
  }
}
