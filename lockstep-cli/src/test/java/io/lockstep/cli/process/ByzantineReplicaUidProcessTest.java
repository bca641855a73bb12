package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local --failure-model byzantine --protocol replica-uid} as real processes: the
 * paper's Byzantine replica-generated identifiers (§3.2.3) in 2t+1 = 3 replica processes with
 * their own keys, ordering by signed agreement in rounds, behind the voting proxy (t+1 identical
 * replies). Closed-loop Redis clients write and read through the proxy; one replica is killed
 * with SIGKILL (silent from then on: its candidates time out, t+1 reports exclude it) and the
 * two left go on. Every answer the clients saw, before and after, is checked for
 * linearizability.
 */
// Long (-Plong): ByzantineRealTimeProcessTest runs a Byzantine classic scheme as processes
// by default.
@Tag("long")
class ByzantineReplicaUidProcessTest {
  private static final int REPLICAS = 3;

  @TempDir Path dir;
  private LocalProcess local;
  private KvLoad load;

  @AfterEach
  void killEverything() throws Exception {
    LocalProcess.stopAll(load, local);
  }

  @Test
  void threeReplicaUidReplicasServeThroughTheProxyAndStayLinearizableAfterKillNineOfOne()
      throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    startLocal(base);
    Path data = local.data();
    assertThat(Files.readString(data.resolve("cluster.properties")))
        .contains("cluster.failure-model=byzantine", "cluster.protocol=replica-uid",
            "cluster.t=1", "replica-uid.round-ms=1100", "replica-uid.max-delay-ms=1000")
        .contains("replica.3.peer=");

    // A write takes about 2t+2 = 4 rounds (4.4 s): eight clients keep several in each round.
    load = new KvLoad(port -> new Jedis("127.0.0.1", base, 60_000), 1, 8, 3).start();
    awaitWrites(6, 60);

    long killed = local.pid(3).orElseThrow();
    long killedAt = System.nanoTime();
    new ProcessBuilder("kill", "-9", Long.toString(killed)).start().waitFor();
    assertThat(ProcessHandle.of(killed).map(h -> {
      try {
        return h.onExit().get(10, TimeUnit.SECONDS).isAlive();
      } catch (Exception e) {
        return true;
      }
    }).orElse(false)).as("replica 3 is gone").isFalse();
    long before = load.okWrites();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(load.wroteAfter(killedAt) && load.okWrites() >= before + 6)) {
      if (System.nanoTime() > deadline) {
        assertThat(load.okWrites()).as("writes after the kill (%d before it; errors %s)%s",
            before, load.errorReplies(), local.logTails()).isGreaterThanOrEqualTo(before + 6);
      }
      Thread.sleep(200);
    }

    load.stop();
    try (Jedis proxy = new Jedis("127.0.0.1", base, 60_000)) {
      load.finalReads(proxy);
    }
    load.checkAndExport("byzantine-replica-uid-kill");
    local.stopsOnSigterm();
  }

  private void awaitWrites(long writes, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (load.okWrites() < writes) {
      if (System.nanoTime() > deadline) {
        assertThat(load.okWrites()).as("acknowledged writes (errors %s)%s",
            load.errorReplies(), local.logTails()).isGreaterThanOrEqualTo(writes);
      }
      Thread.sleep(200);
    }
  }

  private void startLocal(int base) throws Exception {
    // --wait 150: three JVMs starting on a machine shared with other builds (load average 40
    // on 2 cores) took over 90 s to be healthy at once in one run.
    local = LocalProcess.start(dir, REPLICAS, Duration.ofSeconds(160), "--failure-model",
        "byzantine", "--protocol", "replica-uid", "--base-port", Integer.toString(base),
        "--heap", "256m", "--wait", "150");
    assertThat(local.output()).contains("Starting 3 replicas")
        .contains("survives 1 of 3 replicas lying or stopping (Byzantine)");
  }
}
