package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.cli.process.FreePorts;
import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local --spares 1} in real processes (paper §7, S21): three voters and a spare
 * under a write load; a voter is killed with SIGKILL for good, the configurator on the leader
 * replaces it with the spare, which catches up; {@code lockstep status} and
 * {@code lockstep member list} show the new configuration; then a second ORIGINAL replica is
 * killed and the cluster still serves every acknowledged write, because the spare now votes
 * (without the replacement, one voter of three would be left and nothing could commit).
 */
// Long (-Plong): the server module's membership tests run the same replacement in one JVM
// by default.
@Tag("long")
class SparesProcessTest {
  private static final long UNREACHABLE_MILLIS = 2_000;

  @TempDir Path dir;
  private final List<Process> launched = new ArrayList<>();
  private RedisWriters writers;

  @AfterEach
  void killEverything() throws IOException {
    if (writers != null) {
      writers.abandon();
    }
    launched.forEach(Process::destroyForcibly);
    for (int id = 1; id <= 4; id++) {
      pid(id).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void theConfiguratorReplacesAKilledVoterWithTheSpareWhichThenVotes() throws Exception {
    int base = FreePorts.basePort(4);
    Path data = dir.resolve("data");
    ClusterConfig config = startLocal(base, data);
    assertThat(config.voters()).containsExactly(1, 2, 3);
    assertThat(config.spares()).containsExactly(4);
    assertThat(cli("member", "list", "--data-dir", data.toString()))
        .contains("voters [1, 2, 3]").contains("spares [4]");

    writers = RedisWriters.start(base, "spares");
    writers.awaitAcks(200);
    List<Integer> voters = killAVoterAndAwaitItsReplacement(config, data);

    // A second original replica goes for good (the leader, if it is an original), so the spare
    // must vote in every commit after it, and in the election that follows.
    int leader = leader(config);
    int second = leader != 4 ? leader : voters.stream().filter(id -> id != 4).findFirst()
        .orElseThrow();
    kill(second);
    writers.awaitAcksAfter(System.nanoTime(), "the second kill");
    writers.stop();
    try (Jedis jedis = new Jedis("127.0.0.1", base + 4, 10_000)) {
      for (Map.Entry<String, String> write : writers.acknowledged.entrySet()) {
        assertThat(jedis.get(write.getKey())).as("acknowledged write " + write.getKey())
            .isEqualTo(write.getValue());
      }
    }
    assertThat(writers.acknowledged.size()).isGreaterThan(200);
    int after = leader(config);
    assertThat(after).isNotEqualTo(second);
    assertThat(voters).contains(after);
  }

  /** {@code lockstep local --spares 1} with a short configurator bound, in its own process. */
  private ClusterConfig startLocal(int base, Path data) throws Exception {
    Path output = dir.resolve("local.out");
    Process local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "local", "--base-port", Integer.toString(base), "--data-dir", data.toString(),
        "--spares", "1", "--configurator-unreachable-ms", Long.toString(UNREACHABLE_MILLIS),
        "--heap", "256m")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    launched.add(local);
    awaitLine(local, output, "Press Ctrl-C");
    assertThat(Files.readString(output)).contains("Starting 3 replicas and 1 spare")
        .containsPattern("replica 4: pid \\d+, log .* \\(spare: joins when");
    return ClusterConfig.load(data.resolve("cluster.properties"));
  }

  /** Kills a follower for good; returns the voters once the spare has replaced it. */
  private List<Integer> killAVoterAndAwaitItsReplacement(ClusterConfig config, Path data)
      throws Exception {
    int leader = leader(config);
    int victim = leader == 1 ? 2 : 1; // a follower: the configurator runs on the leader
    kill(victim);
    List<Integer> expected = new ArrayList<>(List.of(1, 2, 3, 4));
    expected.remove(Integer.valueOf(victim));
    awaitVoters(config, expected);
    assertThat(cli("status", "--data-dir", data.toString()))
        .contains("configuration: voters " + expected)
        .contains("learners [], spares [" + victim + "]");
    assertThat(cli("member", "list", "--data-dir", data.toString()))
        .contains("voters " + expected).contains("spares [" + victim + "]");
    int now = leader(config);
    assertThat(Files.readString(data.resolve(now + "/replica.log")))
        .contains("event=configurator_step replica=" + now + " change=ADD target=4")
        .contains("event=configurator_step replica=" + now + " change=REMOVE target=" + victim);
    return expected;
  }

  private static int leader(ClusterConfig config) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline) {
        Optional<ReplicaHealth> leader = HealthProbe.leader(probe.all());
        if (leader.isPresent()) {
          return leader.get().id();
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("no leader within 20 s");
  }

  private static void awaitVoters(ClusterConfig config, List<Integer> voters)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    String seen = "";
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline) {
        Optional<ReplicaHealth> leader = HealthProbe.leader(probe.all());
        seen = leader.map(ReplicaHealth::voters).orElse("no leader");
        if (leader.isPresent() && ReplicaHealth.ids(seen).equals(voters)) {
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("voters never became " + voters + "; last seen " + seen);
  }

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.execute(args);
    return out + err.toString();
  }

  private void kill(int id) throws IOException {
    ProcessHandle handle = pid(id).flatMap(ProcessHandle::of).orElseThrow();
    handle.destroyForcibly(); // SIGKILL: no last words, no clean close
  }

  private Optional<Long> pid(int id) throws IOException {
    Path file = dir.resolve("data").resolve(Integer.toString(id)).resolve("pid");
    return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).strip()))
        : Optional.empty();
  }

  private static void awaitLine(Process process, Path output, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(output, StandardCharsets.UTF_8).contains(text)) {
      assertThat(System.nanoTime()).as("'%s' in: %s", text, Files.readString(output))
          .isLessThan(deadline);
      assertThat(process.isAlive()).as("local runs: %s", Files.readString(output)).isTrue();
      Thread.sleep(100);
    }
  }
}
