package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.process.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The lock service (paper §5.2) in Byzantine mode as real processes: {@code lockstep local
 * --service lock --failure-model byzantine} (four pbft replicas), and {@code lockstep lock run}
 * and {@code lock status} as the keyed client "proxy", whose requests go to every replica and
 * are decided by 2t+1 identical replies, reads by 2t+1 matching answers (else ordered). Two
 * runs under one lock must not overlap, and status must read the lock free afterwards.
 */
class ByzantineLockProcessTest {
  private static final int REPLICAS = 4;

  @TempDir Path dir;
  private Process local;
  private final List<Process> launched = new ArrayList<>();

  @AfterEach
  void killEverything() throws Exception {
    launched.forEach(Process::destroyForcibly);
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
  void lockRunsThroughTheVotingPathNeverOverlapAndStatusReadsTheLockFree() throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    Path output = dir.resolve("local.out");
    local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "local", "--service", "lock", "--failure-model", "byzantine", "--base-port",
        Integer.toString(base), "--data-dir", dir.resolve("data").toString(), "--heap", "256m")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    awaitOutput(output, "Press Ctrl-C");

    Path log = dir.resolve("exclusion.log");
    String script = "echo start $$ >> '" + log + "'; sleep 8; echo end $$ >> '" + log
        + "'; exit 7";
    Process first = lockRun("L", "sh", "-c", script);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (!Files.exists(log) || Files.readString(log).isBlank()) {
      assertThat(System.nanoTime()).as("the first run holds the lock").isLessThan(deadline);
      Thread.sleep(50);
    }
    // Asked while the first holds it (for 8 s, longer than a JVM takes to start here). Both
    // processes are the keyed client "proxy": were they that client itself rather than a
    // session each, the second's acquire would find its own id holding the lock and be told
    // it holds it, and both commands would run at once (this failed before lock run made a
    // session per process in Byzantine clusters).
    Process second = lockRun("L", "sh", "-c", script);
    assertThat(first.waitFor(50, TimeUnit.SECONDS)).isTrue();
    assertThat(second.waitFor(50, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as("first: %s", output(first)).isEqualTo(7);
    assertThat(second.exitValue()).as("second: %s", output(second)).isEqualTo(7);
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).as("one whole run, then the other").hasSize(4);
    String one = lines.get(0).substring("start ".length());
    String two = lines.get(2).substring("start ".length());
    assertThat(lines).containsExactly("start " + one, "end " + one, "start " + two, "end " + two);
    assertThat(one).isNotEqualTo(two);
    assertThat(status("L")).contains("holder   free").contains("waiters  0");
    assertThat(status("never-taken")).contains("holder   free");

    local.destroy();
    assertThat(local.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
  }

  /** {@code lockstep lock run NAME} as the keyed client, a process of its own. */
  private Process lockRun(String name, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main", "lock", "run",
        name, "--data-dir", dir.resolve("data").toString(), "--client-id", "proxy",
        "--hold", "20s", "--wait", "40s", "--"));
    args.addAll(List.of(command));
    Path out = Files.createTempFile(dir, "lock-run-", ".out");
    Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    launched.add(p);
    return p;
  }

  private String output(Process p) throws Exception {
    for (Path file : Files.newDirectoryStream(dir, "lock-run-*.out")) {
      if (Files.readString(file).contains(Long.toString(p.pid()))) {
        return Files.readString(file);
      }
    }
    return "(output of " + p.pid() + ")";
  }

  private String status(String name) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("lock", "status", name, "--data-dir", dir.resolve("data").toString(),
        "--client-id", "proxy");
    assertThat(code).as("lock status: %s %s", out, err).isZero();
    return out.toString();
  }

  private void awaitOutput(Path output, String text) throws Exception {
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
