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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A faulty primary in real processes ({@code lockstep local --failure-model byzantine}): the
 * primary is stopped with SIGSTOP (it neither crashes nor answers: its connections stay open)
 * while Redis clients increment counters through the voting proxy. The three others must change
 * view and keep completing increments; after SIGCONT the stopped replica must catch up to the
 * same counters on its own Redis port. Every counter the proxy reports must lie between the
 * increments acknowledged and those attempted (an increment without an answer may have taken
 * effect; one acknowledged can never be lost). A backup stopped the same way resumes in the
 * view the others are still in.
 */
class ByzantineFaultsProcessTest {
  private static final int REPLICAS = 4;
  private static final int CLIENTS = 3;
  /** Increments acknowledged while the old primary is stopped. */
  private static final int WHILE_STOPPED = 60;
  /** Primaries stopped one after another; more with -Dlockstep.test.byzantine-stop-rounds=N. */
  private static final int ROUNDS = Integer.getInteger("lockstep.test.byzantine-stop-rounds", 1);
  private static final Pattern TERM = Pattern.compile("\"term\":(\\d+)");
  private static final Pattern LEADER = Pattern.compile("\"leader\":(-?\\d+)");

  @TempDir Path dir;
  private Process local;
  private long stopped = -1;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void killEverything() throws Exception {
    if (stopped > 0) {
      signal("CONT", stopped);
    }
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
  void aStoppedPrimaryIsReplacedUnderLoadAndCatchesUpWhenItResumes() throws Exception {
    int base = start();
    Increments load = new Increments(base).start();
    load.awaitTotal(30, 30);
    for (int round = 0; round < ROUNDS; round++) {
      stopThePrimaryOnce(base, load);
    }
    load.awaitTotal(load.total() + CLIENTS, 30);
    load.stop();
    assertThat(load.wrong).as("answers out of step with the increments").isEmpty();

    long[] finals = new long[CLIENTS];
    try (Jedis proxy = new Jedis("127.0.0.1", base, 15_000)) {
      for (int c = 0; c < CLIENTS; c++) {
        finals[c] = Long.parseLong(proxy.get("c" + c));
        assertThat(finals[c]).as("counter %d", c)
            .isBetween(load.acknowledged.get(c), load.attempted.get(c));
      }
    }
    for (int id = 1; id <= REPLICAS; id++) {
      awaitCaughtUp(base, id, finals);
    }
    local.destroy();
    assertThat(local.waitFor(30, TimeUnit.SECONDS)).as("local exits on SIGTERM").isTrue();
  }

  /**
   * A backup stopped for three seconds under load (far past its request time-out) resumes with
   * its timer expired while the others are still ordering in the same view: it only suspects
   * the primary, alone, so it stays in that view, takes part again and catches up, instead of
   * asking alone for the next view and leaving the others without their slack.
   */
  @Test
  void aStoppedBackupResumesInTheSameViewAndCatchesUp() throws Exception {
    int base = start();
    Increments load = new Increments(base).start();
    load.awaitTotal(30, 30);
    String before = latestView(base);
    int primary = (int) number(LEADER, before);
    long view = number(TERM, before);
    int backup = primary == REPLICAS ? REPLICAS - 1 : REPLICAS;
    long pid = Long.parseLong(Files.readString(dir.resolve("data/" + backup + "/pid")).strip());
    signal("STOP", pid);
    stopped = pid;
    long total = load.total();
    Thread.sleep(3_000);
    assertThat(load.total()).as("the other three went on ordering").isGreaterThan(total);
    signal("CONT", pid);
    stopped = -1;
    load.awaitTotal(load.total() + 30, 30);
    Thread.sleep(2_000); // time for a view change of its own, were it to start one
    load.stop();
    for (int id = 1; id <= REPLICAS; id++) {
      String health = health(base, id);
      assertThat(number(TERM, health)).as("replica %d's view: %s", id, health).isEqualTo(view);
      assertThat(number(LEADER, health)).as("replica %d's primary: %s", id, health)
          .isEqualTo(primary);
    }
    assertThat(load.wrong).as("answers out of step with the increments").isEmpty();
    long[] finals = new long[CLIENTS];
    try (Jedis proxy = new Jedis("127.0.0.1", base, 15_000)) {
      for (int c = 0; c < CLIENTS; c++) {
        finals[c] = Long.parseLong(proxy.get("c" + c));
      }
    }
    awaitCaughtUp(base, backup, finals);
  }

  /**
   * Stops the current primary until {@link #WHILE_STOPPED} increments are acknowledged in a
   * later view without it, then resumes it.
   */
  private void stopThePrimaryOnce(int base, Increments load) throws Exception {
    String before = latestView(base);
    int primary = (int) number(LEADER, before);
    long view = number(TERM, before);
    long pid = Long.parseLong(Files.readString(dir.resolve("data/" + primary + "/pid")).strip());
    signal("STOP", pid);
    stopped = pid;
    awaitViewChange(base, firstOtherThan(primary), primary, view);
    // Acknowledged after the new view began: ordered without the stopped primary, past a
    // checkpoint or more (one every 16 sequence numbers), so the resumed replica has a gap.
    long viewChanged = System.nanoTime();
    load.awaitTotal(load.total() + WHILE_STOPPED, 40);
    System.out.printf("view %d: %d increments in %d ms without the stopped primary %d%n", view,
        WHILE_STOPPED, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - viewChanged), primary);
    signal("CONT", pid);
    stopped = -1;
  }

  /** The /health of the replica in the latest view with a primary (a resumed one may lag). */
  private String latestView(int base) throws Exception {
    String latest = null;
    for (int id = 1; id <= REPLICAS; id++) {
      String health = health(base, id);
      if (number(LEADER, health) >= 1
          && (latest == null || number(TERM, health) > number(TERM, latest))) {
        latest = health;
      }
    }
    assertThat(latest).as("a replica that knows its primary").isNotNull();
    return latest;
  }

  /** Replica {@code witness} reports a view after {@code view} whose primary is not {@code old}. */
  private void awaitViewChange(int base, int witness, int old, long view) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String health = health(base, witness);
    while (number(TERM, health) <= view || number(LEADER, health) == old
        || number(LEADER, health) < 1) {
      assertThat(System.nanoTime()).as("a view change without %d: %s", old, health)
          .isLessThan(deadline);
      Thread.sleep(100);
      health = health(base, witness);
    }
  }

  /** Replica {@code replica}'s own Redis port shows every counter's final value. */
  private void awaitCaughtUp(int base, int replica, long[] finals) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String seen = "";
    while (System.nanoTime() < deadline) {
      try (Jedis own = new Jedis("127.0.0.1", base + replica, 5_000)) {
        List<String> values = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          values.add(own.get("c" + c));
        }
        seen = values.toString();
        boolean caughtUp = true;
        for (int c = 0; c < CLIENTS; c++) {
          caughtUp &= Long.toString(finals[c]).equals(values.get(c));
        }
        if (caughtUp) {
          return;
        }
      } catch (JedisException e) {
        seen = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("replica " + replica + " did not catch up to "
        + java.util.Arrays.toString(finals) + "; it shows " + seen);
  }

  /** Starts the cluster; its base port (the voting proxy's). */
  private int start() throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    Path output = dir.resolve("local.out");
    local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
        "local", "--failure-model", "byzantine", "--base-port", Integer.toString(base),
        "--data-dir", dir.resolve("data").toString(), "--heap", "256m")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    awaitOutput(output, "redis-cli -p " + base + " GET k");
    return base;
  }

  /** The lowest replica id other than {@code not}. */
  private static int firstOtherThan(int not) {
    return not == 1 ? 2 : 1;
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", name, pid).isZero();
  }

  private String health(int base, int id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 300 + id)
        + "/health")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static long number(Pattern field, String json) {
    Matcher m = field.matcher(json);
    assertThat(m.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(m.group(1));
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

  /**
   * Closed-loop clients, each incrementing its own counter {@code c<i>} through the proxy and
   * counting the increments it attempted and those acknowledged; a failed call reconnects.
   */
  private static final class Increments {
    final AtomicLongArray attempted = new AtomicLongArray(CLIENTS);
    final AtomicLongArray acknowledged = new AtomicLongArray(CLIENTS);
    final List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    Increments(int port) {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread t = new Thread(() -> run(port, client), "incr-" + c);
        t.setDaemon(true);
        threads.add(t);
      }
    }

    Increments start() {
      threads.forEach(Thread::start);
      return this;
    }

    private void run(int port, int client) {
      while (!stopping) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 20_000)) {
          while (!stopping) {
            attempted.incrementAndGet(client);
            long value = jedis.incr("c" + client);
            // More than one above the last answer: an increment without an answer took effect.
            // Not above it, or beyond what was attempted: an answer the proxy must never give.
            if (value <= acknowledged.get(client) || value > attempted.get(client)) {
              wrong.add("c" + client + " = " + value + " after " + acknowledged.get(client)
                  + " of " + attempted.get(client) + " attempted");
            }
            acknowledged.set(client, value);
          }
        } catch (JedisException e) {
          sleep(100);
        }
      }
    }

    long total() {
      long sum = 0;
      for (int c = 0; c < CLIENTS; c++) {
        sum += acknowledged.get(c);
      }
      return sum;
    }

    void awaitTotal(long total, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (total() < total) {
        assertThat(System.nanoTime()).as("%d increments acknowledged within %d s (%d so far)",
            total, seconds, total()).isLessThan(deadline);
        Thread.sleep(50);
      }
    }

    void stop() throws InterruptedException {
      stopping = true;
      for (Thread t : threads) {
        t.join(30_000);
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
