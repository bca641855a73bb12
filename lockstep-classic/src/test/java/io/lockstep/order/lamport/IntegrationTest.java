package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.Harness.Flight;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Integration of a restarted replica into the logical-clock order (paper §7.2), scripted on three
 * replicas: replica 2 crashes, is declared failed, restarts with its order lost, and rejoins
 * through replica 0. Each replica's executor is modelled by the harness as the commands it
 * applied; a snapshot carries them.
 */
class IntegrationTest {
  private static final Recovered RAN_BEFORE = new Recovered(
      new StorageWrite.HardState(new byte[] {1}), null, List.of());

  private final Harness<StampedOrder> h = LogicalClusters.logical(3);

  /** Two requests applied everywhere, then 2 crashes and a third is applied without it. */
  private void twoFailsAndIsDeclaredFailed() {
    h.tickAll(100, 10);
    h.propose(0, h.request("put a 1"));
    h.propose(1, h.request("put b 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(2)).hasSize(2);
    h.crash(2);
    h.tickAll(1_000, 10);
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(2);
    h.propose(0, h.request("put c 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(0)).containsExactly("put a 1", "put b 1", "put c 1");
  }

  private void restart(boolean holdDirect) {
    h.restart(2, (id, members) -> new StampedOrder(StampedConfig.defaults(id, members),
        new LogicalClock(), RAN_BEFORE, holdDirect));
  }

  @Test
  void aRestartedReplicaTakesTheStateAtAnOrderedJoinAndThenOrdersLikeEveryone() {
    twoFailsAndIsDeclaredFailed();
    restart(true);
    assertThat(h.nodes.get(2).joining()).isTrue();
    h.propose(2, h.request("put early 1"));
    assertThat(h.redirects.get(2)).singleElement().satisfies(r -> {
      assertThat(r.busy()).as("the client retries: nothing was ordered").isTrue();
      assertThat(r.reason()).contains("rejoining", "§7.2");
    });
    h.tickAll(500, 10);
    assertThat(h.nodes.get(2).joining()).isFalse();
    assertThat(h.state.get(2)).as("e[r_join]: the donor's state at the join")
        .containsExactly("put a 1", "put b 1", "put c 1");
    assertThat(h.nodes.get(0).failedReplicas()).as("waited for again").isEmpty();
    assertThat(h.nodes.get(1).failedReplicas()).isEmpty();
    h.propose(2, h.request("put d 1"));
    h.propose(1, h.request("put e 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(2)).hasSize(5).isEqualTo(h.state.get(0)).isEqualTo(h.state.get(1));
    assertThat(h.nodes.get(0).assumptionBreaches()).isEmpty();
    assertThat(h.nodes.get(2).assumptionBreaches()).isEmpty();
  }

  @Test
  void aWipedReplicaOfAStartedClusterRejoinsWithNoStateAndHasEveryWriteOrderedWithoutIt() {
    twoFailsAndIsDeclaredFailed();
    h.restart(2, (id, members) -> new StampedOrder(StampedConfig.defaults(id, members)
        .started(), new LogicalClock(), Recovered.EMPTY));
    assertThat(h.nodes.get(2).joining()).as("empty storage, but the cluster ran").isTrue();
    h.tickAll(500, 10);
    assertThat(h.state.get(2)).containsExactly("put a 1", "put b 1", "put c 1");
    h.propose(2, h.request("put d 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(2)).hasSize(4).isEqualTo(h.state.get(0)).isEqualTo(h.state.get(1));
    assertThat(h.nodes.get(0).assumptionBreaches()).isEmpty();
  }

  @Test
  void aWipedReplicaTakenForAFirstStartOrdersOnItsOwnAndIsRefusedByItsPeers() {
    twoFailsAndIsDeclaredFailed();
    h.restart(2, (id, members) -> new StampedOrder(StampedConfig.defaults(id, members),
        new LogicalClock(), Recovered.EMPTY));
    assertThat(h.nodes.get(2).joining()).isFalse();
    h.propose(2, h.request("put d 1"));
    h.tickAll(500, 10);
    assertThat(h.state.get(2)).as("what cluster-started prevents").doesNotContain("put a 1");
    assertThat(h.state.get(0)).doesNotContain("put d 1");
  }

  @Test
  void relayAfterTheJoinTheJoinerGetsEveryLaterBroadcastOfAnOriginFromTheOriginItself() {
    twoFailsAndIsDeclaredFailed();
    restart(true);
    h.tickAll(500, 10);
    loseFirstCopyToTheJoiner("put f 1");
    h.tickAll(400, 10); // 1 retransmits what 2 has not acknowledged
    assertThat(h.state.get(2)).contains("put f 1").isEqualTo(h.state.get(0));
  }

  @Test
  void holdABroadcastReceivedDirectlyWaitsForTheEarlierOnesOfItsOrigin() {
    twoFailsAndIsDeclaredFailed();
    restart(true);
    h.tickAll(500, 10);
    loseFirstCopyToTheJoiner("put f 1");
    h.propose(1, h.request("put g 1")); // reaches 2 directly, after a gap
    h.deliverAll();
    assertThat(h.state.get(2)).as("g is held until f has arrived").doesNotContain("put g 1");
    h.tickAll(400, 10);
    assertThat(h.state.get(2)).containsSubsequence("put f 1", "put g 1")
        .isEqualTo(h.state.get(0)).isEqualTo(h.state.get(1));
  }

  @Test
  void withoutTheHoldTheJoinerSkipsARequestAndItsStateDiffers() {
    twoFailsAndIsDeclaredFailed();
    restart(false);
    h.tickAll(500, 10);
    loseFirstCopyToTheJoiner("put f 1");
    h.propose(1, h.request("put g 1"));
    h.deliverAll();
    h.tickAll(400, 10);
    assertThat(h.state.get(0)).contains("put f 1", "put g 1");
    assertThat(h.state.get(2)).as("the defect the hold prevents").contains("put g 1")
        .doesNotContain("put f 1");
  }

  /** Replica 1 orders {@code command}; the copy to 2 is lost, the one to 0 arrives. */
  private void loseFirstCopyToTheJoiner(String command) {
    h.propose(1, h.request(command));
    for (Flight f : h.holdFrom(1)) {
      if (f.to() != 2) {
        h.deliver(f);
      }
    }
    h.deliverAllHolding(f -> f.from() == 1 && f.to() == 2, new java.util.ArrayList<>());
  }
}
