package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.cli.cluster.ReplicaProcess;
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
 * Paper §7 in real processes: {@code lockstep local} runs three replicas; a fourth machine,
 * which the cluster's file does not name, starts from a file of its own and is added with
 * {@code lockstep member add 4 --peer … --client …} (no file of the three is edited); an
 * original replica is removed, another is killed with SIGKILL; every acknowledged write
 * survives, and {@code lockstep status} shows the new configuration with the recorded
 * addresses.
 */
// Long (-Plong): the server module's UnlistedMemberServerTest runs the same case in one JVM
// by default.
@Tag("long")
class UnlistedMemberProcessTest {
  @TempDir Path dir;
  private final List<Process> launched = new ArrayList<>();
  private RedisWriters writers;

  @AfterEach
  void killEverything() throws IOException {
    if (writers != null) {
      writers.abandon();
    }
    launched.forEach(Process::destroyForcibly);
    for (int id = 1; id <= 3; id++) {
      pid(id).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void anUnlistedMachineIsAddedByItsAddressesAndTheClusterSurvivesARemovalAndAKill()
      throws Exception {
    int base = FreePorts.basePort(4);
    Path data = dir.resolve("data");
    ClusterConfig config = startLocal(base, data);
    String originalFile = Files.readString(data.resolve("cluster.properties"));
    Path own = data.resolve("machine-4.properties");
    Files.writeString(own, originalFile + "replica.4.peer=127.0.0.1:" + (base + 104) + "\n"
        + "replica.4.client=127.0.0.1:" + (base + 204) + "\nreplica.4.redis=127.0.0.1:"
        + (base + 4) + "\nreplica.4.metrics=127.0.0.1:" + (base + 304)
        + "\nreplica.4.role=spare\n");
    launched.add(ReplicaProcess.start(System.getProperty("java.class.path"),
        List.of("-Xmx256m"), own, 4, List.of(), data.resolve("4/replica.log")).process());

    writers = RedisWriters.start(base, "unlisted");
    writers.awaitAcks(100);
    String added = cli("member", "add", "4", "--peer", "127.0.0.1:" + (base + 104),
        "--client", "127.0.0.1:" + (base + 204), "--http", "127.0.0.1:" + (base + 304),
        "--redis", "127.0.0.1:" + (base + 4), "--data-dir", data.toString());
    assertThat(added).contains("recorded replica 4 peer=127.0.0.1:" + (base + 104))
        .contains("voters [1, 2, 3, 4]");
    int leader = leader(config);
    int removed = leader == 1 ? 2 : 1;
    assertThat(cli("member", "remove", Integer.toString(removed), "--data-dir",
        data.toString())).contains("voters " + without(List.of(1, 2, 3, 4), removed));
    int killed = List.of(1, 2, 3).stream().filter(id -> id != removed).findFirst().orElseThrow();
    kill(killed);
    long afterKill = System.nanoTime();
    writers.awaitAcksAfter(afterKill, "the kill");
    writers.stop();
    try (Jedis jedis = new Jedis("127.0.0.1", base + 4, 10_000)) {
      for (Map.Entry<String, String> write : writers.acknowledged.entrySet()) {
        assertThat(jedis.get(write.getKey())).as("acknowledged write " + write.getKey())
            .isEqualTo(write.getValue());
      }
    }
    List<Integer> voters = without(List.of(1, 2, 3, 4), removed);
    String status = cli("status", "--data-dir", data.toString());
    assertThat(status).contains("recorded addresses (configuration version")
        .contains("replica set " + voters)
        .contains("replica 4 peer=127.0.0.1:" + (base + 104) + " client=127.0.0.1:"
            + (base + 204))
        .containsPattern("(?im)^4 +(leader|follower) ");
    assertThat(originalFile).as("nobody edited the cluster's file")
        .isEqualTo(Files.readString(data.resolve("cluster.properties")));
  }

  private static List<Integer> without(List<Integer> ids, int id) {
    return ids.stream().filter(i -> i != id).toList();
  }

  /** {@code lockstep local} with three replicas in its own process. */
  private ClusterConfig startLocal(int base, Path data) throws Exception {
    Path output = dir.resolve("local.out");
    Process local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "local", "--base-port", Integer.toString(base), "--data-dir", data.toString(),
        "--heap", "256m")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    launched.add(local);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(output, StandardCharsets.UTF_8).contains("Press Ctrl-C")) {
      assertThat(System.nanoTime()).as("local starts: %s", Files.readString(output))
          .isLessThan(deadline);
      assertThat(local.isAlive()).as("local runs: %s", Files.readString(output)).isTrue();
      Thread.sleep(100);
    }
    return ClusterConfig.load(data.resolve("cluster.properties"));
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
    pid(id).flatMap(ProcessHandle::of).orElseThrow().destroyForcibly(); // SIGKILL
  }

  private Optional<Long> pid(int id) throws IOException {
    Path file = dir.resolve("data").resolve(Integer.toString(id)).resolve("pid");
    return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).strip()))
        : Optional.empty();
  }
}
