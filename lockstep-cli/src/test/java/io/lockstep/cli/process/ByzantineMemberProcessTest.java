package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
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
// Long (-Plong): by default ByzantineSparesProcessTest changes a pbft cluster's members in
// processes, and the server module's pbft membership tests run the operator's commands.
@Tag("long")
class ByzantineMemberProcessTest {
  private static final int VOTERS = 4;
  private static final int SPARE = 5;

  @TempDir Path dir;
  private LocalProcess local;
  private KvLoad load;

  @AfterEach
  void killEverything() throws Exception {
    LocalProcess.stopAll(load, local);
  }

  @Test
  void anOriginalReplicaIsReplacedByTheSpareWhichThenVotesAfterThePrimaryIsKilled()
      throws Exception {
    int base = FreePorts.basePort(SPARE);
    startLocal(base);
    String listed = local.cli("member", "list");
    assertThat(listed).contains("voters [1, 2, 3, 4]").contains("spares [5]");

    load = new KvLoad(port -> new Jedis("127.0.0.1", base, 10_000), 1, 3, 3).start();
    load.awaitWrites(100, 60);

    // The rule is applied where the change is ordered: two replicas leaving at once is refused
    // by the replicas, with the reason, and changes nothing.
    String refused = local.cli("member", "remove", "4", "--timeout", "60");
    assertThat(refused).contains("the replicas refused the replica set [1, 2, 3]")
        .contains("needs at least 4 replicas (n >= 3t+1)");

    String replaced = local.cli("member", "replace", "2", "5", "--timeout", "120");
    assertThat(replaced).as("replace 2 by 5").contains("replica set [1, 3, 4, 5] ordered")
        .contains("now in force");
    PbftHealth.awaitVotersOn(base, SPARE, "1, 3, 4, 5", 60);

    // Two members agreeing on the primary: one replica alone may be in a view change (no
    // primary, -1) on a loaded machine.
    int primary = PbftHealth.awaitPrimary(base, List.of(1, 3, 4, 5), 60);
    int victim = primary != SPARE ? primary : 1;
    long killedAt = System.nanoTime();
    local.pid(victim).flatMap(ProcessHandle::of).orElseThrow().destroyForcibly();
    long before = load.okWrites();
    load.awaitWritesAfter(killedAt, before + 100, 90);

    load.stop();
    try (Jedis proxy = new Jedis("127.0.0.1", base, 20_000)) {
      load.finalReads(proxy);
    }
    load.checkAndExport("byzantine-member-replace");
    assertThat(load.okWrites()).isGreaterThan(200);

    String status = local.cli("status");
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
    String replaced = local.cli("member", "replace", "4", "5", "--timeout", "60");
    assertThat(replaced).as("replace 4 by 5 without traffic")
        .contains("replica set [1, 2, 3, 5] ordered").contains("now in force");
    PbftHealth.awaitVotersOn(base, SPARE, "1, 2, 3, 5", 60);
    int primary = PbftHealth.awaitPrimary(base, List.of(1, 2, 3, 5), 60);
    PbftHealth.awaitMargin(base, primary, 1, 30);

    int victim = primary == 1 ? 2 : 1;
    local.pid(victim).flatMap(ProcessHandle::of).orElseThrow().destroyForcibly();
    PbftHealth.awaitMargin(base, primary, 0, 30);
    try (Jedis proxy = new Jedis("127.0.0.1", base, 30_000)) {
      assertThat(proxy.set("after-kill", "v")).isEqualTo("OK");
      assertThat(proxy.get("after-kill")).isEqualTo("v");
    }
  }

  private void startLocal(int base) throws Exception {
    local = LocalProcess.start(dir, SPARE, Duration.ofSeconds(90), "--failure-model",
        "byzantine", "--spares", "1", "--base-port", Integer.toString(base), "--heap", "256m");
    assertThat(local.output()).contains("and 1 spare");
  }
}
