package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.RedisProxy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One replica process of four runs a lying behaviour (the simulator's own, selected with the
 * test-only setting {@code pbft.test-byzantine-behaviour.<id>}) while Redis clients write and read
 * through the voting proxy: every history must stay linearizable, and the replicas must agree.
 * The load runs until the test has seen what it needs (at least {@link #LOAD_SECONDS}, at most
 * 90 s): each test takes about 30 s on a quiet machine, longer on a busy one.
 * {@code -Dlockstep.test.lying-seconds=N} keeps the load on for at least N seconds instead of 5.
 */
class LyingReplicaProcessTest {
  private static final long LOAD_SECONDS = Long.getLong("lockstep.test.lying-seconds", 5);
  private static final Duration MAX_LOAD = Duration.ofSeconds(Math.max(90, LOAD_SECONDS + 30));
  /** Small, so a short run passes signed checkpoints (and a lagging replica's state transfer). */
  private static final int CHECKPOINT_INTERVAL = 16;
  private static final String CHECKPOINTS = "pbft.checkpoint-interval=" + CHECKPOINT_INTERVAL
      + "\n";
  private static final String BAD_VOTE = "checkpoint vote with a bad signature";

  @TempDir Path dir;
  private ByzantineCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aReplicaLyingToClientsIsOutvotedAndSaysLoudlyThatItLies() throws Exception {
    cluster = ByzantineCluster.start(dir, "pbft.test-byzantine-behaviour.1=wrong-replies\n");
    assertThat(cluster.health(1)).contains("\"testBehaviour\":\"wrong-replies\"");
    assertThat(cluster.health(2)).doesNotContain("testBehaviour");
    assertThat(cluster.log(1)).contains("event=test_behaviour_active replica=1"
        + " behaviour=wrong-replies");
    KvLoad load = runLoad("lying-replies", l -> l.okWrites() >= 20);
    assertThat(load.okWrites()).isPositive();
    // An error reply is recorded as indeterminate, which a history always allows: so a lie
    // that got through as an error would pass the checker. Only time-outs may reach a client.
    assertNoWrongAnswer(load);
    // A replica's own Redis port is unvoted (it takes one replica's word, as a client voting
    // on the first reply would): a backup's forwards to the primary, so both ports show the
    // lie the proxy outvoted exactly when the liar is the primary. The lie is a well-formed
    // Redis value, not garbage a client would refuse anyway: such a client is really fooled.
    String truth;
    try (Jedis proxy = cluster.proxy()) {
      truth = proxy.get("k0");
    }
    assertThat(truth).as("k0 through the proxy").isNotNull();
    String honest = "$" + truth.length() + "\r\n" + truth + "\r\n";
    int primary = leader(cluster.health(2));
    String liars = rawGet(1, "k0");
    String backups = rawGet(2, "k0");
    System.out.println("lying replica: primary " + primary + "; the truth " + truth
        + "; replica 1's port answered " + liars + "; replica 2's " + backups);
    if (primary >= 1 && leader(cluster.health(2)) == primary) { // no view change meanwhile
      for (String port : List.of(liars, backups)) {
        if (primary == 1) {
          assertThat(port).as("a port of primary %d's lie", primary)
              .matches("\\$" + truth.length() + "\r\n[^\r\n]{" + truth.length() + "}\r\n")
              .isNotEqualTo(honest);
        } else {
          assertThat(port).as("a port, honest primary %d", primary).isEqualTo(honest);
        }
      }
    }
  }

  /**
   * The lie is good enough to fool a client that votes on the first reply: through a proxy
   * whose client takes one reply, the same load's history is not linearizable (the liar is view
   * 0's primary, which a fail-stop client asks first). Were the lie malformed, this client
   * would have refused it and the history would pass.
   */
  @Tag("long") // the voter's unit tests and the simulator's weakened-quorum runs show it by default
  @Test
  void theSameLieFoolsAClientThatTakesTheFirstReply() throws Exception {
    cluster = ByzantineCluster.start(dir, "pbft.test-byzantine-behaviour.1=wrong-replies\n");
    try (RedisProxy firstReply = cluster.firstReplyProxy()) {
      KvLoad load = new KvLoad(port -> new Jedis("127.0.0.1", firstReply.port(), 15_000), 1, 3,
          3).start();
      long start = System.nanoTime();
      while (load.okWrites() < 20 && System.nanoTime() - start < MAX_LOAD.toNanos()) {
        Thread.sleep(500);
      }
      load.stop();
      try (Jedis proxy = new Jedis("127.0.0.1", firstReply.port(), 15_000)) {
        load.finalReads(proxy);
      }
      assertThatThrownBy(() -> load.checkAndExport("first-reply-fooled"))
          .as("a first-reply voter's history with a lying primary")
          .isInstanceOf(AssertionError.class).hasMessageContaining("history");
    }
  }

  @Test
  void anEquivocatingPrimaryCannotSplitTheReplicas() throws Exception {
    // Replica 1 is view 0's primary: it tells replica 3 a second batch for each sequence
    // number, and its prepares and commits to replica 3 back that story. Replicas 2 and 4 hear
    // the real one, which with the primary's own votes is a quorum: the real batch commits and
    // replica 3 is left behind until a stable checkpoint (or a new view) brings it the state.
    cluster = ByzantineCluster.start(dir, "pbft.test-byzantine-behaviour.1=equivocate\n"
        + CHECKPOINTS);
    KvLoad load = runLoad("equivocating-primary", l -> l.okWrites() >= 30);
    assertNoWrongAnswer(load);
    String[] finals = finalValues();
    try (Jedis proxy = cluster.proxy()) {
      // Sequential writes after the final values, one sequence number each, pass at least two
      // checkpoints, whose state holds those values.
      for (int i = 0; i < 3 * CHECKPOINT_INTERVAL; i++) {
        proxy.set("pad", Integer.toString(i));
      }
    }
    for (int id = 2; id <= 4; id++) {
      awaitSameValues(id, finals);
    }
    System.out.println("equivocating primary: " + cluster.healths());
  }

  @Test
  void corruptSignaturesAreDroppedAndCountedByReasonWhileServiceContinues() throws Exception {
    cluster = ByzantineCluster.start(dir, "pbft.test-byzantine-behaviour.2=corrupt\n"
        + CHECKPOINTS);
    KvLoad load = runLoad("corrupt-replica", l -> countedBadVotes(1, 3, 4));
    assertThat(load.okWrites()).as("writes acknowledged despite the corrupt replica")
        .isPositive();
    assertNoWrongAnswer(load);
    for (int id : new int[] {1, 3, 4}) {
      assertThat(cluster.drops(id, BAD_VOTE))
          .as("replica %d's drops: %s", id, cluster.dropLines(id)).isPositive();
    }
    assertThat(cluster.drops(2, BAD_VOTE))
        .as("the honest replicas sign correctly: %s", cluster.dropLines(2)).isZero();
    System.out.println("corrupt replica: replica 1 drops " + cluster.dropLines(1));
  }

  /**
   * The simulator's seeds draw these behaviours too (every behaviour in PbftSimulationTest, the
   * wrong checkpoint digest also while replicas are replaced), and the default run keeps three
   * liars as processes above (wrong replies, an equivocating primary, corrupt signatures), so
   * the test-behaviour setting and the voting proxy are shown by default; these clusters of
   * four processes, about 30 s each, run with -Plong.
   */
  @Tag("long")
  @ParameterizedTest(name = "replica {0} runs {1}")
  @CsvSource({"3, wrong-checkpoint-digest", "2, corrupt-state-transfer", "4, silent",
      "2, replay", "1, slow"})
  void theLongBehavioursLeaveEveryAnswerCorrect(int liar, String behaviour) throws Exception {
    runBehaviour(liar, behaviour);
  }

  private void runBehaviour(int liar, String behaviour) throws Exception {
    cluster = ByzantineCluster.start(dir, "pbft.test-byzantine-behaviour." + liar + "="
        + behaviour + "\n" + CHECKPOINTS);
    assertThat(cluster.health(liar)).contains("\"testBehaviour\":\"" + behaviour + "\"");
    KvLoad load = runLoad(behaviour, l -> l.okWrites() >= 20);
    assertThat(load.okWrites()).as("writes acknowledged").isGreaterThanOrEqualTo(20);
    assertNoWrongAnswer(load);
  }

  /**
   * No client got an error reply other than a time-out: a time-out says the outcome is unknown,
   * which is honest (on a busy machine a write that needs all three honest replies, with the
   * fourth replica silent, can take longer than the client's 10 s); any other error is a lie
   * that got through the vote.
   */
  private static void assertNoWrongAnswer(KvLoad load) {
    assertThat(load.errorReplies()).as("error replies through the proxy")
        .allMatch(e -> e.startsWith("TIMEOUT outcome unknown"));
  }

  /** Whether each of {@code ids} has counted a checkpoint vote with a bad signature. */
  private boolean countedBadVotes(int... ids) {
    try {
      for (int id : ids) {
        if (cluster.drops(id, BAD_VOTE) == 0) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Writes and reads through the proxy for {@link #LOAD_SECONDS}; the history must check. */
  private KvLoad runLoad(String name) throws Exception {
    return runLoad(name, l -> true);
  }

  /**
   * Writes and reads through the proxy for at least {@link #LOAD_SECONDS} and until
   * {@code enough} holds (at most {@link #MAX_LOAD}); the history must check.
   */
  private KvLoad runLoad(String name, Predicate<KvLoad> enough) throws Exception {
    KvLoad load = new KvLoad(port -> cluster.proxy(), 1, 3, 3).start();
    long start = System.nanoTime();
    Thread.sleep(Duration.ofSeconds(LOAD_SECONDS).toMillis());
    while (!enough.test(load) && System.nanoTime() - start < MAX_LOAD.toNanos()) {
      Thread.sleep(500);
    }
    load.stop();
    System.out.printf("%s: %d writes acknowledged in %d ms%n", name, load.okWrites(),
        (System.nanoTime() - start) / 1_000_000);
    try (Jedis proxy = cluster.proxy()) {
      load.finalReads(proxy);
    }
    load.checkAndExport(name);
    return load;
  }

  /** The three keys' values through the proxy. */
  private String[] finalValues() {
    try (Jedis proxy = cluster.proxy()) {
      return new String[] {proxy.get("k0"), proxy.get("k1"), proxy.get("k2")};
    }
  }

  /** Replica {@code id}'s own port shows {@code finals} within 60 s. */
  private void awaitSameValues(int id, String[] finals) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      seen.clear();
      try (Jedis own = cluster.replica(id)) {
        for (int k = 0; k < finals.length; k++) {
          seen.add(own.get("k" + k));
        }
        if (seen.equals(List.of(finals))) {
          return;
        }
      } catch (JedisException e) {
        seen.add(e.toString());
      }
      Thread.sleep(200);
    }
    throw new AssertionError("replica " + id + " shows " + seen + ", the proxy "
        + List.of(finals));
  }

  private static int leader(String health) {
    return (int) number("leader", health);
  }

  /** The number under {@code field} in a /health JSON. */
  private static long number(String field, String health) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field
        + "\":(-?\\d+)").matcher(health);
    assertThat(m.find()).as("%s in %s", field, health).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** GET {@code key} on replica {@code id}'s own Redis port, as the raw bytes it answers. */
  private String rawGet(int id, String key) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", cluster.base + id)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[256];
      StringBuilder answer = new StringBuilder();
      try {
        int n = in.read(buffer);
        while (n > 0) {
          answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
          socket.setSoTimeout(300);
          n = in.read(buffer);
        }
      } catch (SocketTimeoutException e) {
        // the answer is complete: nothing more came
      }
      return answer.toString();
    }
  }
}
