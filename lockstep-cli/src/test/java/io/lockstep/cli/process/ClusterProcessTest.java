package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.ReplicaHealth;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Real replica processes on loopback: kill -9, SIGSTOP, network
 * cuts through a proxy, each with a recorded client history checked for linearizability and
 * exported to {@code target/histories/<test>.jsonl}.
 */
class ClusterProcessTest {
  @TempDir Path dir;
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

  /**
   * A write at one replica is read at another, then writes resume with a new leader after the
   * leader is killed (the first check shares this test's cluster: a cluster of three processes
   * takes seconds to start, and the write changes nothing the kill depends on).
   */
  @Test
  void aWriteOnOneReplicaIsReadOnAnotherAndWritesResumeAfterTheLeaderIsKilled()
      throws Exception {
    cluster = ProcessCluster.start(dir, false);
    int leader = cluster.awaitLeader();
    try (Jedis one = cluster.jedis(1); Jedis two = cluster.jedis(2)) {
      assertThat(one.set("greeting", "hello")).isEqualTo("OK");
      assertThat(two.get("greeting")).isEqualTo("hello");
    }
    load = new KvLoad(cluster, 4, 5).start();
    Thread.sleep(1_500);
    assertThat(load.okWrites()).as("writes before the crash").isPositive();
    cluster.processes.kill(leader);
    long killed = System.nanoTime();
    int next = cluster.awaitLeader(leader, Duration.ofSeconds(20));
    awaitWriteAfter(killed, Duration.ofSeconds(20));
    load.stop();
    assertThat(next).isNotEqualTo(leader);
    load.checkAndExport("writesResumeWithANewLeaderAfterTheLeaderIsKilled");
  }

  @Test
  void noAcknowledgedWriteIsLostWhenEveryReplicaIsKilledAndRestarted() throws Exception {
    cluster = ProcessCluster.start(dir, false);
    cluster.awaitLeader();
    load = new KvLoad(cluster, 4, 5).start();
    Thread.sleep(2_000);
    for (int id = 1; id <= 3; id++) {
      cluster.processes.kill(id);
    }
    load.stop();
    long acknowledged = load.okWrites();
    assertThat(acknowledged).isPositive();
    for (int id = 1; id <= 3; id++) {
      cluster.processes.startReplica(id);
    }
    int leader = cluster.awaitLeader();
    // Two restarted replicas elect a leader while the third may still be starting.
    try (Jedis jedis = cluster.jedisWhenListening(leader % 3 + 1, Duration.ofSeconds(30))) {
      load.finalReads(jedis);
    }
    // The final reads see, for every key, a value no older than its last acknowledged write;
    // the checker proves it, since an acknowledged write must precede those reads.
    load.checkAndExport("noAcknowledgedWriteIsLostWhenEveryReplicaIsKilledAndRestarted");
  }

  @Test
  void theClusterKeepsServingWhileTheLeaderIsPaused() throws Exception {
    cluster = ProcessCluster.start(dir, false);
    int leader = cluster.awaitLeader();
    load = new KvLoad(cluster, 4, 5).start();
    Thread.sleep(1_000);
    cluster.processes.replica(leader).pause();
    long paused = System.nanoTime();
    try {
      cluster.awaitLeader(leader, Duration.ofSeconds(15));
      awaitWriteAfter(paused, Duration.ofSeconds(15));
    } finally {
      cluster.processes.replica(leader).resume();
    }
    long resumed = System.nanoTime();
    awaitWriteAfter(resumed, Duration.ofSeconds(15));
    load.stop();
    assertThat(cluster.processes.replica(leader).isAlive()).isTrue();
    load.checkAndExport("theClusterKeepsServingWhileTheLeaderIsPaused");
  }

  @Test
  void aReplicaCutOffByTheNetworkCatchesUpAfterHealing() throws Exception {
    cluster = ProcessCluster.start(dir, true);
    int leader = cluster.awaitLeader();
    load = new KvLoad(cluster, 4, 5).start();
    Thread.sleep(1_000);
    cluster.cutOff(leader);
    long cut = System.nanoTime();
    int next = cluster.awaitLeader(leader, Duration.ofSeconds(15));
    awaitWriteAfter(cut, Duration.ofSeconds(15));
    Thread.sleep(1_000);
    cluster.heal(leader);
    awaitWriteAfter(System.nanoTime(), Duration.ofSeconds(15));
    load.stop();
    ReplicaHealth now = cluster.health().get(next - 1);
    cluster.awaitApplied(leader, now.commitIndex(), Duration.ofSeconds(20));
    load.checkAndExport("aReplicaCutOffByTheNetworkCatchesUpAfterHealing");
  }

  /**
   * A follower stopped for a while under 32 clients, on the tests' small heap (256 MB): the
   * leader keeps serving without running out of memory (its log is bounded in bytes and
   * compacted by snapshots), and the follower, resumed, catches up. The pause is
   * {@code -Dlockstep.test.pause-seconds} (15 s by default; 60 s is the soak).
   */
  // Long (-Plong): a soak under 32 clients; the other cases show catch-up after a pause.
  @Tag("long")
  @Test
  void aFollowerPausedUnderLoadCatchesUpAndNoReplicaRunsOutOfMemory() throws Exception {
    cluster = ProcessCluster.start(dir, false);
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    load = new KvLoad(cluster, 32, 1_000).start();
    Thread.sleep(1_000);
    cluster.processes.replica(follower).pause();
    long pausedFor = Long.getLong("lockstep.test.pause-seconds", 15);
    try {
      Thread.sleep(pausedFor * 1_000);
      awaitWriteAfter(System.nanoTime(), Duration.ofSeconds(15));
    } finally {
      cluster.processes.replica(follower).resume();
    }
    awaitWriteAfter(System.nanoTime(), Duration.ofSeconds(15));
    load.stop();
    long commit = cluster.health().get(leader - 1).commitIndex();
    cluster.awaitApplied(follower, commit, Duration.ofSeconds(60));
    for (int id = 1; id <= 3; id++) {
      assertThat(cluster.processes.replica(id).isAlive()).as("replica " + id).isTrue();
      assertThat(cluster.console(id)).as("replica " + id + "'s console")
          .doesNotContain("OutOfMemoryError");
    }
    load.checkAndExport("aFollowerPausedUnderLoadCatchesUpAndNoReplicaRunsOutOfMemory");
  }

  private void awaitWriteAfter(long nanos, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!load.wroteAfter(nanos)) {
      assertThat(System.nanoTime()).as("an acknowledged write within " + timeout
          + "; unexpected exits: " + cluster.events).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
