package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * PBFT membership in real processes (paper §7): {@code lockstep local --failure-model byzantine
 * --spares 1} runs four replicas, a spare and the voting proxy. Under a write and read load
 * through the proxy, {@code lockstep member replace} orders a {@code SetReplicas} that swaps an
 * original replica for the spare; the spare catches up by state transfer and the change takes
 * effect; then the primary, an original replica, is killed with SIGKILL. Only three replicas of
 * the new set are left (2t+1), so every write after it needs the former spare's vote, and the
 * view change too. Every acknowledged write is there at the end and the clients' history is
 * linearizable; {@code lockstep status} shows the new set and the removed replica says it was
 * removed. The other case: a replacement on an idle cluster, with the combining condition's
 * margin after a kill.
 */
class ByzantineMemberProcessTest {
  private static final int VOTERS = 4;
  private static final int SPARE = 5;
  private static final Pattern LEADER = Pattern.compile("\"leader\":(-?\\d+)");
  private static final Pattern VOTERS_FIELD = Pattern.compile("\"voters\":\\[([0-9, ]*)\\]");

  @TempDir Path dir;
  private LocalProcess local;
  private KvLoad load;

  @AfterEach
  void killEverything() throws Exception {
    if (load != null) {
      load.stop();
    }
    if (local != null) {
      local.close();
    }
  }

  @Test
  void anOriginalReplicaIsReplacedByTheSpareWhichThenVotesAfterThePrimaryIsKilled()
      throws Exception {
    int base = FreePorts.basePort(SPARE);
    startLocal(base);
    Path data = local.data();
    String listed = cli(data, "member", "list");
    assertThat(listed).contains("voters [1, 2, 3, 4]").contains("spares [5]");

    load = new KvLoad(port -> new Jedis("127.0.0.1", base, 10_000), 1, 3, 3).start();
    awaitWrites(100, 60);

    // The rule is applied where the change is ordered: two replicas leaving at once is refused
    // by the replicas, with the reason, and changes nothing.
    String refused = cli(data, "member", "remove", "4", "--timeout", "60");
    assertThat(refused).contains("the replicas refused the replica set [1, 2, 3]")
        .contains("needs at least 4 replicas (n >= 3t+1)");

    String replaced = cli(data, "member", "replace", "2", "5", "--timeout", "120");
    assertThat(replaced).as("replace 2 by 5").contains("replica set [1, 3, 4, 5] ordered")
        .contains("now in force");
    awaitVotersOn(base, SPARE, "1, 3, 4, 5");

    int primary = primaryOf(base, SPARE);
    int victim = primary != SPARE ? primary : 1;
    long killedAt = System.nanoTime();
    local.pid(victim).flatMap(ProcessHandle::of).orElseThrow().destroyForcibly();
    long before = load.okWrites();
    awaitWritesAfter(killedAt, before + 100, 90);

    load.stop();
    try (Jedis proxy = new Jedis("127.0.0.1", base, 20_000)) {
      load.finalReads(proxy);
    }
    load.checkAndExport("byzantine-member-replace");
    assertThat(load.okWrites()).isGreaterThan(200);

    String status = cli(data, "status");
    assertThat(status).contains("configuration: voters [1, 3, 4, 5]")
        .contains("removed: replica 2 is not a voter");
    local.stopsOnSigterm();
  }

  /**
   * On an idle cluster (no client sends anything) the ordered replacement still takes effect:
   * the primary orders null batches until it is in force. The primary's combining condition
   * then counts a replica killed with SIGKILL as silent once t+1 replicas report it (margin 1,
   * then 0 in /health), and writes go on with the former spare's vote.
   */
  @Test
  void onAnIdleClusterTheReplacementTakesEffectAndTheMarginCountsAKilledReplica()
      throws Exception {
    int base = FreePorts.basePort(SPARE);
    startLocal(base);
    Path data = local.data();
    String replaced = cli(data, "member", "replace", "4", "5", "--timeout", "60");
    assertThat(replaced).as("replace 4 by 5 without traffic")
        .contains("replica set [1, 2, 3, 5] ordered").contains("now in force");
    awaitVotersOn(base, SPARE, "1, 2, 3, 5");
    int primary = primaryOf(base, SPARE);
    awaitMargin(base, primary, 1);

    int victim = primary == 1 ? 2 : 1;
    local.pid(victim).flatMap(ProcessHandle::of).orElseThrow().destroyForcibly();
    awaitMargin(base, primary, 0);
    try (Jedis proxy = new Jedis("127.0.0.1", base, 30_000)) {
      assertThat(proxy.set("after-kill", "v")).isEqualTo("OK");
      assertThat(proxy.get("after-kill")).isEqualTo("v");
    }
  }

  /** Waits until replica {@code id}'s /health shows the combining condition's margin. */
  private static void awaitMargin(int base, int id, int margin) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String health = "";
    while (System.nanoTime() < deadline) {
      health = health(base, id);
      if (health.contains("\"margin\":" + margin + ",")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + "'s margin never became " + margin + ": "
        + health);
  }

  private void startLocal(int base) throws Exception {
    local = LocalProcess.start(dir, SPARE, Duration.ofSeconds(90), "--failure-model",
        "byzantine", "--spares", "1", "--base-port", Integer.toString(base), "--heap", "256m");
    assertThat(local.output()).contains("and 1 spare");
  }

  /** The command line in its own process; its output and errors together. */
  private String cli(Path data, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(List.of("--data-dir", data.toString()));
    if (args[0].equals("member")) {
      // A Byzantine cluster admits keyed clients only; `local` keys the proxy's id.
      command.addAll(List.of("--client-id", "proxy"));
    }
    Path output = Files.createTempFile(dir, "cli", ".out");
    Process p = LocalProcess.java(command.toArray(String[]::new)).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("lockstep %s ends", command).isTrue();
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  private void awaitWrites(long count, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (load.okWrites() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(load.okWrites()).as("acknowledged writes; errors %s", load.errorReplies())
        .isGreaterThanOrEqualTo(count);
  }

  private void awaitWritesAfter(long nanos, long count, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while ((!load.wroteAfter(nanos) || load.okWrites() < count)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(load.wroteAfter(nanos)).as("writes acknowledged after the kill; errors %s",
        load.errorReplies()).isTrue();
    assertThat(load.okWrites()).isGreaterThanOrEqualTo(count);
  }

  /** Waits until replica {@code id}'s /health names {@code voters}: it read the change. */
  private static void awaitVotersOn(int base, int id, String voters) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String health = "";
    while (System.nanoTime() < deadline) {
      health = health(base, id);
      Matcher m = VOTERS_FIELD.matcher(health);
      if (m.find() && m.group(1).replace(" ", "").equals(voters.replace(" ", ""))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + " never counted voters [" + voters + "]: "
        + health);
  }

  private static int primaryOf(int base, int id) throws Exception {
    Matcher m = LEADER.matcher(health(base, id));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String health(int base, int id) throws Exception {
    try {
      return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + (base + 300 + id) + "/health")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "unreachable: " + e.getMessage();
    }
  }
}
