package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code lockstep local --failure-model byzantine --protocol real-time} as real processes: the
 * paper's synchronized real-time clocks under Byzantine faults (§3.2.2 with §3.1's signed
 * agreement) in 2t+1 = 3 replica processes with their own keys, behind the voting proxy.
 * Replica 3 runs the simulator's {@code extreme-uids} lie (the test-only switch
 * {@code real-time.test-byzantine-behaviour.3}, with the flag {@code real-time.test-lies}): its
 * batches carry stamps outside their round, which the correct replicas drop.
 * Closed-loop Redis clients write and read through the proxy; then the liar is killed with
 * SIGKILL (t = 1: a liar and a dead replica together would be two faults) and the two correct
 * replicas go on. Every answer the clients saw, before and after, is checked for
 * linearizability.
 */
@Tag("long") // 49 s; the order itself runs by default in RealTimeByzantine* protocol and simulation tests
class ByzantineRealTimeProcessTest {
  private static final int REPLICAS = 3;

  @TempDir Path dir;
  private LocalProcess local;
  private KvLoad load;

  @AfterEach
  void killEverything() throws Exception {
    LocalProcess.stopAll(load, local);
  }

  @Test
  void threeRealTimeReplicasOutvoteALiarAndStayLinearizableAfterKillNineOfIt() throws Exception {
    int base = FreePorts.basePort(REPLICAS);
    local = LocalProcess.start(dir, REPLICAS, Duration.ofSeconds(160), "--failure-model",
        "byzantine", "--protocol", "real-time", "--base-port", Integer.toString(base),
        "--heap", "256m", "--wait", "150", "--protocol-setting", "test-lies=enabled",
        "--protocol-setting", "test-byzantine-behaviour.3=extreme-uids");
    assertThat(local.output()).contains("Starting 3 replicas")
        .contains("survives 1 of 3 replicas lying or stopping (Byzantine)");
    assertThat(Files.readString(local.data().resolve("cluster.properties")))
        .contains("cluster.failure-model=byzantine", "cluster.protocol=real-time",
            "cluster.t=1", "real-time.round-ms=", "real-time.max-delay-ms=");
    assertThat(LocalLoadSteps.http(base, 3, "/health"))
        .contains("\"testBehaviour\":\"extreme-uids\"");
    assertThat(LocalLoadSteps.http(base, 1, "/health")).doesNotContain("testBehaviour");
    assertThat(Files.readString(local.data().resolve("3").resolve("replica.log")))
        .contains("event=test_behaviour_active replica=3 behaviour=extreme-uids");

    // A write takes about t+2 rounds: eight clients keep several in each round.
    load = new KvLoad(port -> new Jedis("127.0.0.1", base, 60_000), 1, 8, 3).start();
    LocalLoadSteps.awaitWrites(load, local, 8, 60);
    // Not checked here: that the lie reached the correct replicas. A manual run showed their
    // "uid outside its round" drops, but in this test the liar too rarely had a batch of its own
    // to stamp (see docs/ARCHITECTURE.md), so such a wait failed in about half the runs.

    long before = load.okWrites();
    long killedAt = LocalLoadSteps.killNine(local, 3);
    LocalLoadSteps.awaitWritesAfter(load, local, killedAt, before, 6, 60);

    load.stop();
    try (Jedis proxy = new Jedis("127.0.0.1", base, 60_000)) {
      load.finalReads(proxy);
    }
    load.checkAndExport("byzantine-real-time-liar-kill");
    // For the record only: a loop stalled over a round on a far overloaded machine is reported
    // there, as it should be, and that is no failure of the answers checked above.
    System.out.println("real-time byzantine: " + load.okWrites() + " writes; replica 1 health "
        + LocalLoadSteps.http(base, 1, "/health"));
    local.stopsOnSigterm();
  }
}
