package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local --failure-model byzantine} as real processes: four pbft replica
 * processes with their own keys and the voting proxy, driven by a Python socket RESP client as
 * an unmodified Redis client. Enough writes go through to pass several PBFT checkpoints (every
 * 128 sequence numbers, each wanting the executor's state at once) and to need them stable (the
 * primary assigns at most 256 sequence numbers above the stable one), then the primary is killed with
 * SIGKILL and the three left must change view and keep serving.
 */
class ByzantineLocalProcessTest {
  private static final int REPLICAS = 4;
  private static final int INCREMENTS = 600;
  private static final Pattern TERM = Pattern.compile("\"term\":(\\d+)");
  private static final Pattern LEADER = Pattern.compile("\"leader\":(-?\\d+)");

  @TempDir Path dir;
  private Process local;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void killEverything() throws IOException {
    if (local != null) {
      local.destroyForcibly();
    }
    for (int id = 1; id <= REPLICAS; id++) {
      Path pid = dir.resolve("data").resolve(Integer.toString(id)).resolve("pid");
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void fourPbftReplicasServeThroughTheProxyAndSurviveSigkillOfThePrimary() throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    Path data = dir.resolve("data");
    startLocal(base, data, dir.resolve("local.out"));

    assertThat(ProxyProcessTest.resp(base, "SET", "k", "v1", "--", "GET", "k", "--", "GET",
        "missing")).containsExactly("+OK", "$v1", "$nil");
    List<String> incrs = new ArrayList<>();
    for (int i = 0; i < INCREMENTS; i++) {
      incrs.addAll(List.of("INCR", "n", "--"));
    }
    incrs.addAll(List.of("GET", "n"));
    List<String> counted = ProxyProcessTest.resp(base, incrs.toArray(String[]::new));
    assertThat(counted).hasSize(INCREMENTS + 1);
    assertThat(counted.get(INCREMENTS - 1)).isEqualTo(":" + INCREMENTS);
    assertThat(counted.get(INCREMENTS)).as("past several checkpoints").isEqualTo("$" + INCREMENTS);

    // After kill -9 of the primary exactly 2t+1 replicas are left, and every ordered request
    // needs all three of their replies. A replica that missed a request's reply (it executed the
    // request before the client's copy arrived, or skipped it by state transfer) gets the
    // client's resend alone; the others no longer hold the request, so it cannot be ordered
    // again, and only the replica's reply cache (the session's kept reply) answers it.
    int primary = awaitPrimary(base);
    long pid = Long.parseLong(Files.readString(data.resolve(primary + "/pid")).strip());
    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
    assertThat(ProcessHandle.of(pid).orElseThrow().onExit().get(10, TimeUnit.SECONDS).isAlive())
        .isFalse();

    assertThat(ProxyProcessTest.resp(base, "SET", "k", "v2", "--", "INCR", "n", "--", "GET",
        "k", "--", "GET", "n")).as("served by the three left after a view change")
        .containsExactly("+OK", ":" + (INCREMENTS + 1), "$v2", "$" + (INCREMENTS + 1));
    for (int id = 1; id <= REPLICAS; id++) {
      if (id == primary) {
        continue;
      }
      String health = health(base, id);
      assertThat(number(TERM, health)).as("replica %d moved past view 0: %s", id, health)
          .isPositive();
      assertThat(number(LEADER, health)).as("a new primary: %s", health).isNotEqualTo(primary);
    }
    int backup = primary % REPLICAS + 1;
    try (Jedis own = new Jedis("127.0.0.1", base + backup, 5000)) {
      assertThat(own.get("n")).as("replica %d executed the writes itself", backup)
          .isEqualTo(Integer.toString(INCREMENTS + 1));
    }

    local.destroy();
    assertThat(local.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
  }

  /**
   * Durability: every replica killed with SIGKILL at once (a power loss), then the cluster
   * started again on the same data directories; every write the proxy acknowledged is there,
   * and new writes go on from it.
   */
  // Long (-Plong): ClusterProcessTest kills and restarts a whole Raft cluster by default, and
  // the pbft simulations restart replicas from their disks on every seed.
  @Tag("long")
  @Test
  void aWholePbftClusterKilledAndStartedAgainKeepsEveryAcknowledgedWrite() throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    Path data = dir.resolve("data");
    startLocal(base, data, dir.resolve("local.out"));
    List<String> writes = new ArrayList<>(List.of("SET", "k", "before", "--"));
    for (int i = 0; i < 40; i++) {
      writes.addAll(List.of("INCR", "n", "--")); // past two checkpoints (every 16 sequence numbers)
    }
    writes.addAll(List.of("SET", "last", "acknowledged"));
    List<String> acknowledged = ProxyProcessTest.resp(base, writes.toArray(String[]::new));
    assertThat(acknowledged).hasSize(42).startsWith("+OK").endsWith(":40", "+OK");

    List<ProcessHandle> replicas = new ArrayList<>();
    for (int id = 1; id <= REPLICAS; id++) {
      long pid = Long.parseLong(Files.readString(data.resolve(id + "/pid")).strip());
      replicas.add(ProcessHandle.of(pid).orElseThrow());
    }
    for (ProcessHandle replica : replicas) {
      new ProcessBuilder("kill", "-9", Long.toString(replica.pid())).start().waitFor();
    }
    for (ProcessHandle replica : replicas) {
      assertThat(replica.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
    }
    local.destroy();
    assertThat(local.waitFor(30, TimeUnit.SECONDS)).as("local exits").isTrue();

    startLocal(base, data, dir.resolve("local-again.out"));
    assertThat(ProxyProcessTest.resp(base, "GET", "k", "--", "GET", "n", "--", "GET", "last",
        "--", "INCR", "n")).as("every acknowledged write survived the restart")
        .containsExactly("$before", "$40", "$acknowledged", ":41");
    local.destroy();
    assertThat(local.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
  }

  private void startLocal(int base, Path data, Path output) throws Exception {
    local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "local", "--failure-model", "byzantine", "--base-port", Integer.toString(base),
        "--data-dir", data.toString(), "--heap", "256m")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    awaitOutput(output, "redis-cli -p " + base + " GET k");
  }

  /**
   * The primary that two replicas in a view agree on. On a loaded machine one replica's request
   * timer may expire alone: it then waits in a view change (primary -1 on its /health) until
   * t+1 others move on too, which they need not do while they make progress; so the primary is
   * taken from the replicas that are in a view, not from one fixed replica.
   */
  private int awaitPrimary(int base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Map<Integer, Integer> votes = new TreeMap<>();
      List<String> seen = new ArrayList<>();
      for (int id = 1; id <= REPLICAS; id++) {
        String health = health(base, id);
        seen.add(health);
        int primary = (int) number(LEADER, health);
        if (primary >= 1 && primary <= REPLICAS && votes.merge(primary, 1, Integer::sum) >= 2) {
          return primary;
        }
      }
      assertThat(System.nanoTime()).as("a primary two replicas agree on in %s", seen)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private String health(int base, int id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 300 + id)
        + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static long number(Pattern field, String json) {
    Matcher m = field.matcher(json);
    assertThat(m.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private void awaitOutput(Path output, String text) throws Exception {
    if (!Files.exists(output)) {
      Files.createFile(output); // not created by the process yet: reads as empty
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(output, StandardCharsets.UTF_8).contains(text)) {
      String seen = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(System.nanoTime()).as("'%s' in the output of local: %s", text, seen)
          .isLessThan(deadline);
      assertThat(local.isAlive()).as("local is running: %s", seen).isTrue();
      Thread.sleep(100);
    }
  }
}
