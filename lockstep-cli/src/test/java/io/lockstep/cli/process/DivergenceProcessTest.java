package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.ReplicaAddresses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * S1 between real replica processes: their state digests cross the peer port between JVMs and
 * are compared. A user's machine that reads the clock, loaded from its jar, is reported by every
 * replica; the built-in store's replicas agree, also after one is killed with SIGKILL and
 * restarted (replaying its log from its snapshot).
 */
class DivergenceProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ProcessCluster cluster;

  @AfterEach
  void killEverything() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  // Long (-Plong): the case below shows processes comparing digests by default.
  @Tag("long")
  @Test
  void everyProcessOfAClockReadingMachineFromAJarReportsDivergence() throws Exception {
    MachineJar jar = MachineJar.of(ClockReadingMachine.class,
        ClockReadingMachine.class.getName(), dir);
    cluster = ProcessCluster.startMachine(dir, ClockReadingMachine.class, jar,
        "digest.interval=10\n");
    cluster.awaitLeader();
    try (LockstepClient client = LockstepClient.connect(ClientOptions.of("test",
        cluster.config.replicas().stream().map(ReplicaAddresses::client).toList()))) {
      for (int i = 1; i <= 30; i++) {
        assertThat(ByteBuffer.wrap(client.submit(new byte[] {1}).get(10, TimeUnit.SECONDS))
            .getLong()).as("replies agree: only the state differs").isEqualTo(i);
      }
    }
    for (int id = 1; id <= 3; id++) {
      HttpResponse<String> health = awaitUnhealthy(id);
      assertThat(health.body()).contains("diverged").contains("first at position ");
      assertThat(metric(id, "lockstep_divergence_total")).isGreaterThanOrEqualTo(1);
      assertThat(cluster.console(id)).contains("event=divergence replica=" + id)
          .contains("machine=" + ClockReadingMachine.class.getName());
    }
  }

  @Test
  void replicaProcessesCompareTheirStateDigestsAndAgreeAcrossAKill9() throws Exception {
    cluster = ProcessCluster.start(dir, false, "digest.interval=20\nsnapshot.interval=50\n");
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    write(leader, 0, 100);
    awaitCompared(follower, 4);
    cluster.processes.kill(follower);
    write(leader, 100, 200);
    double before = metric(leader, "lockstep_digest_compared_total");
    cluster.processes.startReplica(follower);
    write(leader, 200, 300);
    awaitCompared(follower, 2);
    for (int id = 1; id <= 3; id++) {
      awaitCompared(id, 4);
      assertThat(metric(id, "lockstep_divergence_total")).as("replica " + id).isZero();
      HttpResponse<String> health = get(id, "/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }
    assertThat(metric(leader, "lockstep_digest_compared_total"))
        .as("the leader compared the restarted replica's new digests too").isGreaterThan(before);
  }

  private HttpResponse<String> awaitUnhealthy(int id) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (true) {
      HttpResponse<String> health = get(id, "/health");
      if (health.statusCode() == 503) {
        return health;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("replica " + id + " still healthy after " + WAIT + ": "
            + health.body() + "; console:\n" + cluster.console(id));
      }
      Thread.sleep(100);
    }
  }

  private void write(int replica, int from, int to) {
    try (Jedis jedis = cluster.jedis(replica)) {
      for (int i = from; i < to; i++) {
        assertThat(jedis.set("key" + (i % 29), "value" + i)).isEqualTo("OK");
      }
    }
  }

  private void awaitCompared(int id, double atLeast) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (metricOrZero(id, "lockstep_digest_compared_total") < atLeast) {
      if (System.nanoTime() > end) {
        throw new AssertionError("replica " + id + " did not compare " + atLeast
            + " digests within " + WAIT + "; console:\n" + cluster.console(id));
      }
      Thread.sleep(100);
    }
  }

  private double metricOrZero(int id, String name) {
    try {
      return metric(id, name);
    } catch (Exception | AssertionError e) { // not up yet
      return 0;
    }
  }

  /** A counter from replica {@code id}'s real {@code /metrics} endpoint. */
  private double metric(int id, String name) throws Exception {
    String text = get(id, "/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(text);
    assertThat(m.find()).as(name + " is exported by replica " + id).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private HttpResponse<String> get(int id, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.metricsPort(id) + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
