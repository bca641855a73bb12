package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code lockstep local} as a process of a test: started with the test's class path, its output
 * in {@code local.out} of the test's directory, its replicas' data (and pid files) under
 * {@code data}. {@link #close} kills the launcher and every replica it started, so a failed
 * test leaves no process behind on a machine other builds share.
 */
final class LocalProcess implements AutoCloseable {
  private final Path data;
  private final int replicas;
  private final Process process;
  private final Path output;

  private LocalProcess(Path data, int replicas, Process process, Path output) {
    this.data = data;
    this.output = output;
    this.replicas = replicas;
    this.process = process;
  }

  /**
   * Runs {@code lockstep local args --data-dir dir/data} for up to {@code replicas} replica
   * processes (spares included) and waits, at most {@code bound}, until it prints its usage
   * hint ({@code GET k}): every replica is healthy then. Fails with the output and the
   * replicas' log tails when it does not start or exits.
   */
  static LocalProcess start(Path dir, int replicas, Duration bound, String... args)
      throws Exception {
    Path data = dir.resolve("data");
    Path output = dir.resolve("local.out");
    Files.createFile(output);
    List<String> command = new ArrayList<>(List.of("local"));
    command.addAll(List.of(args));
    command.addAll(List.of("--data-dir", data.toString()));
    LocalProcess local = new LocalProcess(data, replicas,
        java(command.toArray(String[]::new)).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start(), output);
    try {
      local.awaitStarted(System.nanoTime() + bound.toNanos());
    } catch (Throwable e) {
      local.close(); // the caller never gets it to close
      throw e;
    }
    return local;
  }

  private void awaitStarted(long deadline) throws Exception {
    while (!Files.readString(output, StandardCharsets.UTF_8).contains("GET k")) {
      assertThat(System.nanoTime()).as("local starts: %s", Files.readString(output))
          .isLessThan(deadline);
      assertThat(process.isAlive()).as("local runs: %s%s", Files.readString(output),
          logTails()).isTrue();
      Thread.sleep(100);
    }
  }

  /** {@code io.lockstep.cli.Main args} in a JVM of its own with the test's class path. */
  static ProcessBuilder java(String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "io.lockstep.cli.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * {@code lockstep args --data-dir data} in its own process, its output and errors together;
   * a {@code member} command as the proxy's keyed client (a Byzantine cluster admits keyed
   * clients only, and {@code local} keys the proxy's id).
   */
  String cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(List.of("--data-dir", data.toString()));
    if (args[0].equals("member")) {
      command.addAll(List.of("--client-id", "proxy"));
    }
    Path out = Files.createTempFile(output.getParent(), "cli", ".out");
    Process p = java(command.toArray(String[]::new)).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("lockstep %s ends", command).isTrue();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** What the launcher printed so far. */
  String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  /** The data directory the replicas run in. */
  Path data() {
    return data;
  }

  /** Replica {@code id}'s process id, from its pid file, if it wrote one. */
  Optional<Long> pid(int id) throws IOException {
    Path file = data.resolve(Integer.toString(id)).resolve("pid");
    return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).strip()))
        : Optional.empty();
  }

  /** Sends SIGTERM and checks that the launcher (and with it its replicas) exits. */
  void stopsOnSigterm() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
  }

  /** The last lines of every replica's log, for a failure message. */
  String logTails() throws IOException {
    StringBuilder out = new StringBuilder();
    for (int id = 1; id <= replicas; id++) {
      Path log = data.resolve(Integer.toString(id)).resolve("replica.log");
      if (Files.exists(log)) {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        // Probe reports come every 200 ms while a bound is broken: keep the protocol's own
        // (kind=order, e.g. a skipped round) and the last few of the others.
        List<String> lines = new ArrayList<>(all.stream()
            .filter(l -> !l.contains("AssumptionWatch") || l.contains("kind=order")).toList());
        List<String> probes = all.stream()
            .filter(l -> l.contains("AssumptionWatch") && !l.contains("kind=order")).toList();
        lines.addAll(probes.subList(Math.max(0, probes.size() - 3), probes.size()));
        out.append("\n--- replica ").append(id).append(" (")
            .append(probes.size()).append(" probe reports):\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 12),
                lines.size())));
      }
    }
    return out.toString();
  }

  /**
   * A test's last word when it ran a load against {@code local}: stops the load's clients
   * first (they would log every refused connection), then kills everything. Either may be null
   * (the test failed before it started them).
   */
  static void stopAll(KvLoad load, LocalProcess local) throws Exception {
    if (load != null) {
      load.stop();
    }
    if (local != null) {
      local.close();
    }
  }

  /** Kills the launcher and every replica with a pid file: a test's last word. */
  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    for (int id = 1; id <= replicas; id++) {
      pid(id).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
