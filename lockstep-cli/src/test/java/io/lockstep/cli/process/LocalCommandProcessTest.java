package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local} as a newcomer runs it: a process of its own that starts three replica
 * processes, prints how to connect, stops them all on SIGTERM, and recovers the data when run
 * again on the same directory.
 */
class LocalCommandProcessTest {
  @TempDir Path dir;
  private final List<Process> launched = new ArrayList<>();

  @AfterEach
  void killEverything() throws IOException {
    launched.forEach(Process::destroyForcibly);
    for (int id = 1; id <= 3; id++) {
      Path pid = dir.resolve("data").resolve(Integer.toString(id)).resolve("pid");
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void localStartsThreeReplicasStopsThemOnSigtermAndRecoversTheirData() throws Exception {
    int base = FreePorts.basePort(3);
    Path data = dir.resolve("data");
    Run first = Run.start(base, data, launched);
    first.awaitLine("Press Ctrl-C");
    assertThat(first.output()).contains("redis-cli -p " + (base + 1) + " SET k v")
        .containsPattern("Each replica's heap: -Xmx\\d+[mg] \\(change it with --heap SIZE")
        .as("the default heap covers the store's bound and the log's budget (256 + 256 MiB)")
        .contains("the in-memory log's budget need 804 MiB");
    List<Long> started = pids(dir.resolve("data"));
    assertThat(Files.readString(Path.of("/proc/" + started.get(0) + "/cmdline")))
        .as("the replica runs with the heap it was given").containsPattern("-Xmx\\d+[mg]\u0000");
    try (Jedis one = jedis(base + 1); Jedis two = jedis(base + 2)) {
      assertThat(one.set("k", "v")).isEqualTo("OK");
      assertThat(two.get("k")).isEqualTo("v");
    }
    String page = "http://127.0.0.1:" + (base + 301) + "/";
    assertThat(first.output()).contains("Live page: " + page);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(page)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body())
        .as("the address printed serves the live page").contains("<title>Lockstep cluster");
    List<Long> pids = pids(data);
    first.process.destroy();
    assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("replica pid %d stopped", pid).isFalse();
    }
    for (int id = 1; id <= 3; id++) {
      assertThat(data.resolve(id + "/replica.log")).isNotEmptyFile();
      assertThat(Files.readString(data.resolve(id + "/replica.log")))
          .as("replica %d's log keeps its last words on SIGTERM", id)
          .contains("event=replica_stopped replica=" + id + " failed=false");
      assertThat(data.resolve(id + "/console.log")).exists();
    }
    assertThat(first.output()).contains("Stopping the replicas");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(data.resolve("secret.hex")))).isEqualTo("rw-------");
    String secret = Files.readString(data.resolve("secret.hex"));

    Run second = Run.start(base, data, launched);
    second.awaitLine("Press Ctrl-C");
    try (Jedis three = jedis(base + 3)) {
      assertThat(three.get("k")).isEqualTo("v");
    }
    assertThat(Files.readString(data.resolve("secret.hex"))).isEqualTo(secret);
    second.process.destroy();
    assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private static List<Long> pids(Path data) throws IOException {
    List<Long> pids = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      pids.add(Long.parseLong(Files.readString(data.resolve(id + "/pid")).strip()));
    }
    return pids;
  }

  private static Jedis jedis(int port) {
    return new Jedis("127.0.0.1", port, 5000);
  }

  /** A base port whose redis, peer, client and metrics ports for 3 replicas are all free. */

  /** One run of {@code java … io.lockstep.cli.Main local}, its output going to a file. */
  private static final class Run {
    final Process process;
    final Path output;

    private Run(Process process, Path output) {
      this.process = process;
      this.output = output;
    }

    static Run start(int base, Path data, List<Process> launched) throws IOException {
      Path output = Files.createTempFile(data.getParent(), "local-", ".out");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
          "local", "--base-port", Integer.toString(base), "--data-dir", data.toString())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      launched.add(p);
      return new Run(p, output);
    }

    void awaitLine(String text) throws InterruptedException, IOException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!output().contains(text)) {
        assertThat(System.nanoTime()).as("'%s' in the output of local: %s", text, output())
            .isLessThan(deadline);
        assertThat(process.isAlive()).as("local is running: %s", output()).isTrue();
        Thread.sleep(100);
      }
    }

    String output() throws IOException {
      return Files.readString(output, StandardCharsets.UTF_8);
    }
  }
}
