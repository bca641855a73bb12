package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local --protocol NAME --replicas 2} for each of the paper's three uid schemes
 * ({@code logical-clock}, {@code real-time}, {@code replica-uid}, and {@code replica-uid} with
 * {@code --protocol-setting variant=abcast}): the scheme in two replica
 * processes (fail-stop, t+1 = 2) serves a real Redis client at either replica and goes on at
 * the survivor after {@code kill -9} of the other. Started again, the killed replica rejoins
 * (paper §7.2) and serves what was ordered without it, ABCAST's included.
 */
class ClassicLocalProcessTest {
  @TempDir Path dir;
  private final List<Process> launched = new ArrayList<>();
  private final List<Path> dataDirs = new ArrayList<>();

  /** A {@code local} that printed its ready message: its data directory and base port. */
  private record Started(Path data, int base) {}

  @AfterEach
  void killEverything() throws IOException {
    launched.forEach(Process::destroyForcibly);
    for (Path data : dataDirs) {
      killReplicas(data);
    }
  }

  private static void killReplicas(Path data) throws IOException {
    for (int id = 1; id <= 2; id++) {
      Path pid = data.resolve(Integer.toString(id)).resolve("pid");
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"logical-clock", "real-time", "replica-uid", "replica-uid abcast"})
  void classicClusterServesRedisSurvivesKillNineAndTakesTheRestartedReplicaBack(
      String scheme)
      throws Exception {
    String protocol = scheme.split(" ")[0];
    List<String> variant = scheme.endsWith("abcast")
        ? List.of("--protocol-setting", "variant=abcast") : List.of();
    Started started = startLocal(protocol, variant);
    Path data = started.data();
    int base = started.base();
    assertThat(Files.readString(data.resolve("cluster.properties")))
        .contains("cluster.protocol=" + protocol, "cluster.t=1",
            protocol + ".failure-timeout-ms=3000",
            variant.isEmpty() ? "cluster.t=1" : "replica-uid.variant=abcast");
    Instant since = Instant.now();
    try (Jedis one = jedis(base + 1); Jedis two = jedis(base + 2)) {
      for (int i = 0; i < 50; i++) {
        assertThat((i % 2 == 0 ? one : two).set("k" + i, "v" + i)).isEqualTo("OK");
        String read = (i % 2 == 0 ? two : one).get("k" + i);
        if (!("v" + i).equals(read)) {
          staleRead(data, since, "k" + i, read);
        }
      }
      assertThat(one.incr("n")).isEqualTo(1);
      assertThat(two.incr("n")).isEqualTo(2);
    }

    long killed = Long.parseLong(Files.readString(data.resolve("2/pid")).strip());
    new ProcessBuilder("kill", "-9", Long.toString(killed)).start().waitFor();
    try (Jedis one = jedis(base + 1)) {
      // The first write waits for replica 2 to be detected failed (3 s of silence).
      assertThat(one.set("after", "kill")).isEqualTo("OK");
      assertThat(one.get("k7")).isEqualTo("v7");
      assertThat(one.incr("n")).isEqualTo(3);
    }

    Path restartOut = data.getParent().resolve("restart.out");
    Process restarted = launch(restartOut, "io.lockstep.server.ReplicaMain", "--config",
        data.resolve("cluster.properties").toString(), "--id", "2");
    rejoins(base);
    assertThat(restarted.isAlive()).as("the restarted replica serves on").isTrue();
  }

  /**
   * A read at one replica missed the write just acknowledged at the other. These schemes promise
   * that only while their timing assumptions hold (bounded delays, Δ, the failure timeout), and
   * each replica logs {@code event=assumption_violated} when it sees one broken (a loaded machine
   * can stall a replica process for seconds) and {@code event=assumption_restored} once it holds
   * again. If one was broken after {@code since} or was still broken then, the scheme's premise,
   * not its code, failed: the test is aborted (reported as skipped, with the evidence).
   * Otherwise the stale read is a bug, and the test fails with both replicas' logs.
   */
  private static void staleRead(Path data, Instant since, String key, String read)
      throws IOException {
    StringBuilder logs = new StringBuilder();
    List<String> broken = new ArrayList<>();
    for (int id = 1; id <= 2; id++) {
      Path log = data.resolve(Integer.toString(id)).resolve("replica.log");
      List<String> lines = Files.exists(log)
          ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
      broken.addAll(brokenAssumptions(lines, since));
      logs.append("\n--- replica ").append(id).append(" ---\n")
          .append(String.join("\n", lines));
    }
    String what = "read of " + key + " at the other replica returned " + read
        + " after its write was acknowledged";
    Assumptions.assumeTrue(broken.isEmpty(),
        () -> what + ", while a timing assumption was broken: " + broken + logs);
    throw new AssertionError(what + ", with every timing assumption holding:" + logs);
  }

  /** The assumption violations in {@code lines} logged after {@code since} or still open then. */
  private static List<String> brokenAssumptions(List<String> lines, Instant since) {
    Map<String, String> open = new LinkedHashMap<>();
    List<String> broken = new ArrayList<>();
    for (String line : lines) {
      Matcher m = ASSUMPTION.matcher(line);
      if (!m.find()) {
        continue;
      }
      String which = m.group(3) + " peer=" + m.group(2);
      if (m.group(1).equals("restored")) {
        open.remove(which);
      } else if (Instant.parse(line.substring(0, line.indexOf(' '))).isBefore(since)) {
        open.put(which, line);
      } else {
        broken.add(line);
      }
    }
    broken.addAll(open.values());
    return broken;
  }

  /** An AssumptionWatch line: whether violated or restored, its kind and its peer if any. */
  private static final Pattern ASSUMPTION = Pattern.compile(
      "event=assumption_(violated|restored) replica=\\d+ (?:peer=(\\d+) )?kind=(\\w+)");

  /**
   * Runs {@code lockstep local} for two replicas of {@code protocol} until it is ready. These
   * schemes assume bounded delays, and JVMs starting on a loaded machine have stalled past the
   * failure timeout (3 s; a replica's probes saw 6 and 10 s delays in their first seconds with
   * CPU burners running). Such a replica is declared failed while it runs; it halts when its
   * peer tells it and rejoins by itself, and both replicas are healthy again, so {@code local}
   * still becomes ready, only later. The test once started a fresh cluster instead, when such a
   * stall was reported for good; it no longer needs to.
   */
  private Started startLocal(String protocol, List<String> variant) throws Exception {
    int base = FreePorts.basePort(2);
    Path data = dir.resolve("data");
    dataDirs.add(data);
    // --wait 120: on a machine shared with other builds (load average 40 on 2 cores) the
    // replicas' probes saw delays above the 1 s bound for the first minute, and local's
    // default 60 s wait for a healthy cluster ran out before this test's own.
    List<String> args = new ArrayList<>(List.of("local", "--protocol", protocol,
        "--replicas", "2", "--base-port", Integer.toString(base), "--data-dir",
        data.toString(), "--wait", "120"));
    args.addAll(variant);
    Path out = dir.resolve("local.out");
    Process local = launch(out, "io.lockstep.cli.Main", args.toArray(String[]::new));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!Files.readString(out, StandardCharsets.UTF_8).contains("Press Ctrl-C")) {
      assertThat(local.isAlive()).as("local exited: %s", Files.readString(out)).isTrue();
      assertThat(System.nanoTime()).as("ready: %s", Files.readString(out)).isLessThan(deadline);
      Thread.sleep(100);
    }
    return new Started(data, base);
  }

  /** The restarted replica 2 rejoins and serves every write, those made without it too. */
  private static void rejoins(int base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String answer = null;
    while (answer == null) {
      try (Jedis probe = jedis(base + 2)) {
        answer = probe.set("back", "again");
      } catch (redis.clients.jedis.exceptions.JedisException e) {
        // not listening yet, or busy while it waits for the state
        assertThat(System.nanoTime()).as("rejoined: %s", e.getMessage()).isLessThan(deadline);
        Thread.sleep(200);
      }
    }
    assertThat(answer).isEqualTo("OK");
    try (Jedis one = jedis(base + 1); Jedis two = jedis(base + 2)) {
      assertThat(two.get("after")).as("written while it was down").isEqualTo("kill");
      assertThat(two.get("k7")).isEqualTo("v7");
      assertThat(two.incr("n")).isEqualTo(4);
      assertThat(one.get("back")).isEqualTo("again");
    }
  }

  private Process launch(Path output, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"),
        "bin", "java").toString(), "-cp", System.getProperty("java.class.path"), main));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    launched.add(p);
    return p;
  }

  private static Jedis jedis(int port) {
    return new Jedis("127.0.0.1", port, 20_000);
  }
}
