package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.ReplicaHeap;
import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A state of tens of MB on replicas whose heap is below twice that state: a snapshot must cost
 * the state's own size plus a fixed budget, never a second copy, or these processes run out of
 * memory. Three things happen to one follower while 32 clients write: it is paused
 * ({@code SIGSTOP}) and resumed, and it is stopped, its data directory wiped and started again,
 * when it can only catch up by a chunked snapshot because the leader compacted its log long ago.
 *
 * <p>The state is {@code -Dlockstep.test.state-mb} MiB (48 by default; the heap is that plus
 * 40 MiB, so below twice the state from 41 MiB up), the pause {@code
 * -Dlockstep.test.heap-pause-seconds} (10 by default; the soak runs 60).
 *
 * <p>Runs only with {@code -Dlockstep.test.small-heap=true} (a soak, not the default run).
 * The budget now fits: heap dumps of these replicas showed what the earlier "unexplained" ~10
 * MiB was (the in-memory log between snapshots, up to its 16 MiB budget, beside ~16 MiB of
 * runtime, in 26 MiB of old generation), and the log's budget here is 8 MiB. With a 10 s pause
 * it passed in 52 s at load average 35-43 (the earlier setting: 25 s at load ~3), at most the
 * state plus 20 MiB live after full collections. With a 60 s pause at load average
 * ~45 and 4 MiB less old generation than now, the follower that caught up ran a full
 * collection about every second (live 57 of a 67 MiB old generation) taking up to 1.1 s each,
 * longer than the 300 ms election timeout, and elections churned (term 58) until it missed the
 * 90 s deadline. With the heap sized by local's formula and the peer queues bounded in bytes,
 * the 60 s pause passed in 92 s at load average 23-28 (11 full collections per replica, at most
 * the state plus 20 MiB live); runs are listed in docs/BENCHMARKS.md. It takes well over a
 * minute, so it stays out of the default run.
 */
@EnabledIfSystemProperty(named = "lockstep.test.small-heap", matches = "true")
class LargeStateSmallHeapProcessTest {
  private static final int VALUE_BYTES = 16 * 1024;
  /** The young generation ({@code -Xmn}): the old generation is the heap less this. */
  private static final int YOUNG_MIB = 8;
  /** The in-memory log's byte budget here ({@code raft.max-log-bytes}). */
  private static final int LOG_MIB = 8;
  /**
   * What a replica holds besides its state and its log, measured in heap dumps of these
   * replicas (docs/OPERATIONS.md, "Heap"): ~8 MiB of objects (the journal's ring, classes'
   * strings, maps, metrics) and ~9 MiB of arrays (the jars' central directories, the log's
   * write buffer, the journal), up to ~2 MiB of which is the collector's filler.
   */
  private static final int RUNTIME_MIB = 16;
  /**
   * What a replica may hold besides the state after a full collection: its in-memory log and
   * its runtime. The old generation holds 4 MiB more (the heap is the state plus {@link
   * #FIXED_BUDGET_MIB}, less the young generation). An earlier version allowed 28 MiB beside
   * the state in an old generation of 26 MiB: a log near its 16 MiB budget (a snapshot late on
   * a loaded machine) spilled the live set into the young generation, full collections ran
   * back to back, and replicas died of OutOfMemoryError at 74 of 75 MiB.
   */
  private static final int LIVE_BUDGET_MIB = LOG_MIB + RUNTIME_MIB;
  /**
   * Heap beyond the state, sized as {@code lockstep local} sizes a replica's old generation
   * ({@link ReplicaHeap#neededMib}: the state, the log's budget and {@link
   * ReplicaHeap#RUNTIME_MIB}, which is the measured runtime plus room for a snapshot transfer's
   * chunks and for the collector), with a fixed young generation instead of local's third of the
   * heap. Measured: with the serial collector's default young generation the replicas spent most
   * of their time in full collections; with 4 MiB less room than local's formula (the state plus
   * 28 MiB of old generation) a follower catching up after a 60 s pause at load average ~45 ran
   * a full collection about every second (docs/BENCHMARKS.md).
   */
  private static final int FIXED_BUDGET_MIB =
      LOG_MIB + (int) ReplicaHeap.RUNTIME_MIB + YOUNG_MIB;
  private static final Pattern SNAPSHOT_STORED = Pattern.compile(
      "(?m)^(\\S+) .*event=snapshot_stored replica=\\d+ position=(\\d+)");
  private static final Pattern FULL_GC =
      Pattern.compile("Pause Full \\([^)]*\\) \\d+M->(\\d+)M");
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
  private ProcessCluster cluster;
  private KvLoad load;

  @AfterEach
  void killEverything() throws Exception {
    if (load != null) {
      load.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aFollowerPausedThenWipedCatchesUpByChunkedSnapshotOnAHeapBelowTwiceTheState()
      throws Exception {
    int stateMib = Integer.getInteger("lockstep.test.state-mb", 48);
    int heapMib = stateMib + FIXED_BUDGET_MIB;
    assertThat(heapMib).as("the heap is below twice the state").isLessThan(2 * stateMib);
    cluster = ProcessCluster.start(dir, false, smallLogBudgets(), jvmOptions(heapMib, dir));
    int leader = cluster.awaitLeader();
    int keys = stateMib * 1024 * 1024 / VALUE_BYTES;
    fill(leader, keys);

    int follower = leader % 3 + 1;
    load = new KvLoad(cluster, 32, 1_000).start();
    pauseUnderLoad(follower, Long.getLong("lockstep.test.heap-pause-seconds", 10));
    long commit = cluster.health().get(leader - 1).commitIndex();
    cluster.awaitApplied(follower, commit, PATIENCE);

    cluster.processes.kill(follower);
    wipe(follower);
    awaitWriteAfter(System.nanoTime(), Duration.ofSeconds(30));
    long beforeRestart = cluster.health().get(leader - 1).commitIndex();
    Instant restarted = Instant.now();
    cluster.processes.startReplica(follower);
    cluster.awaitApplied(follower, beforeRestart, PATIENCE);
    Instant caughtUp = Instant.now();
    load.stop();

    assertCaughtUpBySnapshot(follower, keys);
    awaitDigestsAgree(follower);
    assertOneTransferWhileNewerSnapshotsWereTaken(follower, restarted, caughtUp);
    for (int id = 1; id <= 3; id++) {
      assertThat(liveAfterFullCollections(id)).as("replica %d's heap after full collections"
          + " (MiB): the state plus a fixed budget", id)
          .allMatch(m -> m <= stateMib + LIVE_BUDGET_MIB);
      assertThat(cluster.processes.replica(id).isAlive()).as("replica %d alive", id).isTrue();
      assertThat(cluster.console(id) + replicaLog(id)).as("replica %d's console and log", id)
          .doesNotContain("OutOfMemoryError");
    }
  }

  /**
   * The in-memory log is kept far below the state (8 MiB; a snapshot every 4 MiB of entries,
   * so the fill alone compacts the log past its start and the wiped follower can only catch up
   * by snapshot), so the heap holds the state and little else. Snapshots by count come every
   * {@code -Dlockstep.test.snapshot-interval} positions (2,000 by default: a snapshot every
   * ~2 s here, while a 42 MB transfer takes longer, so newer snapshots are taken while the wiped
   * follower's is on its way; before transfers held their snapshot, it never caught up at
   * this interval). Digests are compared every 2,000 positions.
   */
  private static String smallLogBudgets() {
    return "snapshot.interval=" + Long.getLong("lockstep.test.snapshot-interval", 2_000)
        + "\ndigest.interval=2000\nraft.max-log-bytes=" + (LOG_MIB << 20) + "\n"
        + "raft.max-uncommitted-bytes=2097152\nraft.compaction-margin-bytes=1048576\n"
        + "raft.compaction-margin=200\n";
  }

  /**
   * The tests' usual options with a small heap; running out of memory ends the replica, after
   * writing a heap dump into the test's directory (kept when the test fails) to show what held
   * the memory.
   */
  private static List<String> jvmOptions(int heapMib, Path dir) {
    return List.of("-Xms32m", "-Xmx" + heapMib + "m", "-Xmn" + YOUNG_MIB + "m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dir);
  }

  /** Writes {@code keys} values of 16 KiB through the leader's Redis port, 32 per round trip. */
  private void fill(int leader, int keys) {
    try (Jedis jedis = cluster.jedis(leader)) {
      byte[] value = new byte[VALUE_BYTES];
      for (int from = 0; from < keys; from += 32) {
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> answers = new ArrayList<>();
        for (int k = from; k < Math.min(keys, from + 32); k++) {
          value[0] = (byte) k;
          value[1] = (byte) (k >> 8);
          answers.add(pipeline.set(("big-" + k).getBytes(), value.clone()));
        }
        pipeline.sync();
        answers.forEach(a -> assertThat(a.get()).isEqualTo("OK"));
      }
    }
  }

  private void pauseUnderLoad(int follower, long seconds) throws Exception {
    Thread.sleep(1_000);
    cluster.processes.replica(follower).pause();
    try {
      Thread.sleep(seconds * 1_000);
      awaitWriteAfter(System.nanoTime(), Duration.ofSeconds(30));
    } finally {
      cluster.processes.replica(follower).resume();
    }
  }

  /** Deletes the follower's data directory, leaving {@code rejoin-empty} as OPERATIONS says. */
  private void wipe(int follower) throws IOException {
    Path data = dir.resolve(Integer.toString(follower));
    try (Stream<Path> files = Files.walk(data)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.createDirectories(data);
    Files.createFile(data.resolve("rejoin-empty"));
  }

  /**
   * The leader's log starts past position 1, so what the wiped follower holds came by snapshot:
   * it has every preloaded key, and reads through it agree with the leader.
   */
  private void assertCaughtUpBySnapshot(int follower, int keys) throws Exception {
    // The repair ends after the catch-up, once a term census has heard the peers.
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!replicaLog(follower).contains("event=repair_finished")) {
      assertThat(System.nanoTime()).as("repair_finished logged; log:\n%s", replicaLog(follower))
          .isLessThan(deadline);
      Thread.sleep(100);
    }
    try (Jedis jedis = cluster.jedis(follower)) {
      for (int k = 0; k < keys; k += Math.max(1, keys / 50)) {
        byte[] value = jedis.get(("big-" + k).getBytes());
        assertThat(value).as("big-%d", k).hasSize(VALUE_BYTES);
        assertThat(value[0]).isEqualTo((byte) k);
        assertThat(value[1]).isEqualTo((byte) (k >> 8));
      }
    }
  }

  /**
   * The wiped follower's first transfer ended although the other replicas took newer snapshots
   * while it was on its way (before transfers held their snapshot, each newer one restarted it,
   * and at this interval it never ended). A second snapshot may follow when more than the
   * compaction margin's 2 MiB of entries were written during the first one (the leader keeps
   * no more of the log after the snapshot being sent); it is a second transfer that ended too.
   */
  private void assertOneTransferWhileNewerSnapshotsWereTaken(int follower, Instant restarted,
      Instant caughtUp) throws Exception {
    List<Long> installs = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (installs.isEmpty()) { // the journal reaches its file a little later
      assertThat(System.nanoTime()).as("an INSTALL in %d's journal", follower)
          .isLessThan(deadline);
      Thread.sleep(200);
      installs = journalInstalls(dir.resolve(follower + "/journal"));
    }
    assertThat(installs).as("snapshots installed by the wiped follower").hasSizeLessThan(4);
    long installed = installs.get(0);
    List<String> newer = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      Matcher m = SNAPSHOT_STORED.matcher(id == follower ? "" : replicaLog(id));
      while (m.find()) {
        Instant at = Instant.parse(m.group(1));
        if (Long.parseLong(m.group(2)) > installed && at.isAfter(restarted)
            && at.isBefore(caughtUp)) {
          newer.add(id + "@" + m.group(2));
        }
      }
    }
    System.out.printf("wiped follower %d installed snapshots at %s; newer than the first taken"
        + " meanwhile: %s%n", follower, installs, newer);
    assertThat(newer).as("snapshots newer than the one installed, taken while it was sent")
        .isNotEmpty();
  }

  /** The positions of the INSTALL events in a replica's journal files. */
  private static List<Long> journalInstalls(Path journal) throws IOException {
    List<Long> positions = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(journal)) {
      files = list.filter(p -> p.toString().endsWith(".journal")).sorted().toList();
    }
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        JournalFormat.read(in, s -> {
          if (s.event().kind() == Event.Kind.INSTALL && s.event().position() > 0) {
            positions.add(s.event().position());
          }
        }, new JournalFormat.Problems() {
          @Override
          public void skipped(String what) {}

          @Override
          public void lost(long count) {}
        });
      }
    }
    return positions;
  }

  /** The follower compares its state digest with the leader's at least twice, and agrees. */
  private void awaitDigestsAgree(int follower) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    try (Jedis jedis = cluster.jedis(follower)) {
      int i = 0;
      while (metric(follower, "lockstep_digest_compared_total") < 2) {
        assertThat(System.nanoTime()).as("digests compared; console:\n%s",
            cluster.console(follower)).isLessThan(deadline);
        tick(jedis, i++);
      }
    }
    for (int id = 1; id <= 3; id++) {
      assertThat(metric(id, "lockstep_divergence_total")).as("replica %d", id).isZero();
    }
  }

  /**
   * One write that moves positions so digests fall due. Its outcome does not matter: an
   * indeterminate or busy answer during a leader change (seen under a loaded machine) is
   * retried by the next one rather than failing the test.
   */
  private static void tick(Jedis jedis, int i) {
    try {
      jedis.set("tick-" + (i % 10), "x".repeat(100));
    } catch (redis.clients.jedis.exceptions.JedisDataException e) {
      System.out.println("tick " + i + " not acknowledged (" + e.getMessage() + "); next one");
    }
  }

  private String tails() throws IOException {
    StringBuilder out = new StringBuilder();
    for (int id = 1; id <= 3; id++) {
      String console = cluster.console(id);
      out.append("\n--- replica ").append(id).append(":\n")
          .append(console.substring(Math.max(0, console.length() - 3000)));
    }
    return out.toString();
  }

  /**
   * What each full collection left (MiB) in replica {@code id}'s {@code -Xlog:gc} lines: its
   * live heap, the state and everything else the replica holds, at those moments.
   */
  private List<Integer> liveAfterFullCollections(int id) throws IOException {
    Matcher m = FULL_GC.matcher(cluster.console(id));
    List<Integer> out = new ArrayList<>();
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    System.out.printf("replica %d: %d full collections, live after them at most %s MiB%n", id,
        out.size(), out.stream().max(Integer::compare).map(String::valueOf).orElse("-"));
    return out;
  }

  /** What replica {@code id} logged since its data directory was last created. */
  private String replicaLog(int id) throws IOException {
    Path log = dir.resolve(id + "/replica.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private double metric(int id, String name) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.metricsPort(id) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(response.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private void awaitWriteAfter(long nanos, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!load.wroteAfter(nanos)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no acknowledged write within " + timeout + "; unexpected exits: "
            + cluster.events + "; consoles: " + tails());
      }
      Thread.sleep(50);
    }
  }
}
