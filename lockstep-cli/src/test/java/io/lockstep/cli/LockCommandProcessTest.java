package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.LocalCluster;
import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.process.FreePorts;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lockstep lock} against a real 3-replica lock cluster (one OS process per replica), with
 * {@code lock run} itself run as separate {@code java} processes where it matters: mutual
 * exclusion of their commands, the command's exit status, the release on SIGTERM, the wait
 * time-out and the hold-time warning (paper §5.2).
 */
class LockCommandProcessTest {
  private static final List<String> JVM_OPTIONS =
      List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @TempDir static Path dir;
  private static Path data;
  private static ClusterConfig config;
  private static LocalCluster cluster;
  private static final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Process> launched = new ArrayList<>();
  private final Map<Process, Path> outputs = new HashMap<>();

  @BeforeAll
  static void startLockCluster() throws Exception {
    data = dir.resolve("data");
    LocalLayout layout = new LocalLayout(data, 3, FreePorts.basePort(3), Service.LOCK);
    config = layout.prepare();
    cluster = LocalCluster.start(System.getProperty("java.class.path"), JVM_OPTIONS,
        LocalCluster.sameFile(config.members(), layout.configFile()), data, events::add);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (HealthProbe probe = new HealthProbe(config)) {
      while (HealthProbe.leader(probe.all()).isEmpty()) {
        assertThat(System.nanoTime()).as("a leader within 60 s; exits: %s", events)
            .isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  @AfterAll
  static void killLockCluster() throws InterruptedException {
    if (cluster != null) {
      for (int id : cluster.ids()) {
        cluster.kill(id);
      }
    }
  }

  @AfterEach
  void killLaunched() {
    launched.forEach(Process::destroyForcibly);
  }

  @Test
  void commandsRunConcurrentlyUnderOneLockNeverOverlapAndExitWithTheirOwnStatus()
      throws Exception {
    Path log = dir.resolve("exclusion.log");
    String script = "echo start $$ >> '" + log + "'; sleep 1; echo end $$ >> '" + log
        + "'; exit 7";
    Process first = lockRun("L", "10s", "sh", "-c", script);
    Process second = lockRun("L", "10s", "sh", "-c", script);
    assertThat(first.waitFor(45, TimeUnit.SECONDS)).isTrue();
    assertThat(second.waitFor(45, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as("first: %s", output(first)).isEqualTo(7);
    assertThat(second.exitValue()).as("second: %s", output(second)).isEqualTo(7);

    List<String> lines = Files.readAllLines(log);
    assertThat(lines).as("one whole run, then the other").hasSize(4);
    String one = lines.get(0).substring("start ".length());
    String two = lines.get(2).substring("start ".length());
    assertThat(lines).containsExactly("start " + one, "end " + one, "start " + two, "end " + two);
    assertThat(one).isNotEqualTo(two);
    assertThat(status("L")).contains("holder   free").contains("waiters  0");
  }

  @Test
  void sigtermStopsTheCommandFirstAndThenReleasesTheLock() throws Exception {
    Path pidFile = dir.resolve("sleeper.pid");
    Process run = lockRun("T", "60s", "sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 60");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      assertThat(System.nanoTime()).as("command started: %s", output(run)).isLessThan(deadline);
      Thread.sleep(50);
    }
    long sleeper = Long.parseLong(Files.readString(pidFile).strip());
    assertThat(status("T")).contains("holder   lockstep-lock-" + run.pid() + "-");

    run.destroy();
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false))
        .as("the command was stopped before the release").isFalse();
    assertThat(status("T")).as("released long before its 60 s hold time")
        .contains("holder   free");
  }

  @Test
  void sigtermWhileQueuedWithdrawsTheRequest() throws Exception {
    try (LockClient holder = client()) {
      assertThat(holder.acquire("Q", Duration.ofSeconds(60)).held()).isTrue();
      Process run = lockRun("Q", "10s", "true");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!status("Q").contains("waiters  1")) {
        assertThat(System.nanoTime()).as("queued: %s", output(run)).isLessThan(deadline);
        Thread.sleep(50);
      }
      run.destroy();
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(status("Q")).as("the stopped run left no request behind")
          .contains("waiters  0");
      holder.release("Q");
      assertThat(status("Q")).contains("holder   free");
    }
  }

  @Test
  void aRunThatCannotHaveTheLockInTimeExitsOneAndSaysSo() throws Exception {
    try (LockClient holder = client()) {
      assertThat(holder.acquire("M", Duration.ofSeconds(60)).held()).isTrue();
      StringWriter err = new StringWriter();
      int code = cli(new StringWriter(), err).execute("lock", "run", "M", "--data-dir",
          data.toString(), "--hold", "1s", "--wait", "300ms", "--", "true");
      assertThat(code).as("err: %s", err).isEqualTo(1);
      assertThat(err.toString()).contains("could not acquire lock M")
          .contains("not acquired within 300 ms");
      // The run gave up and withdrew its request: it is not left in the queue to be granted.
      assertThat(status("M")).contains("holder   " + holder.client().clientId())
          .contains("waiters  0");
      holder.release("M");
    }
  }

  @Test
  void aCommandThatOutlivesTheHoldTimeIsWarnedButNotKilled() throws Exception {
    StringWriter err = new StringWriter();
    long start = System.nanoTime();
    int code = cli(new StringWriter(), err).execute("lock", "run", "W", "--data-dir",
        data.toString(), "--hold", "300ms", "--", "sleep", "1.5");
    assertThat(code).as("err: %s", err).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the command ran to its end")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(err.toString()).contains("warning: the hold time of 300ms has passed")
        .doesNotContain("no longer held at release");
    assertThat(status("W")).contains("holder   free");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(cli(new StringWriter(), new StringWriter()).execute("lock", "run", "L",
        "--data-dir", data.toString(), "--hold", "0s", "--", "true")).isEqualTo(2);
    assertThat(cli(new StringWriter(), new StringWriter()).execute("lock", "run", "L",
        "--data-dir", data.toString(), "--hold", "10s")).as("no command").isEqualTo(2);
    assertThat(cli(new StringWriter(), new StringWriter()).execute("lock", "status", "",
        "--data-dir", data.toString())).as("empty name").isEqualTo(2);
  }

  /** {@code lockstep lock run} as a process of its own, its output going to a file. */
  private Process lockRun(String name, String hold, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    args.addAll(JVM_OPTIONS);
    args.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "lock", "run", name, "--data-dir", data.toString(), "--hold", hold, "--"));
    args.addAll(List.of(command));
    Path out = Files.createTempFile(dir, "lock-run-", ".out");
    Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    launched.add(p);
    outputs.put(p, out);
    return p;
  }

  private String output(Process p) throws Exception {
    return Files.readString(outputs.get(p));
  }

  private static String status(String name) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = cli(out, err).execute("lock", "status", name, "--data-dir", data.toString());
    assertThat(code).as("lock status: %s", err).isZero();
    return out.toString();
  }

  private static CommandLine cli(StringWriter out, StringWriter err) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  private static LockClient client() {
    ClientOptions options = ClientOptions.of(config.name(),
        config.replicas().stream().map(ReplicaAddresses::client).toList());
    if (config.clientSecret() != null) {
      options = options.withSecret(config.clientSecret());
    }
    return new LockClient(LockstepClient.connect(options));
  }
}
