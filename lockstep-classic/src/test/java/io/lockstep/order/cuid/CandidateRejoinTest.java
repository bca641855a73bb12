package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.Harness.Flight;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restarted replica rejoins the fail-stop replica-uid order (paper §7.2, {@link
 * CandidateJoin}), scripted on three replicas: replica 2 crashes, is declared failed, restarts
 * with its order lost and rejoins through replica 0. Each rule of the join has a case: the
 * admission's counts are the boundary, the joiner proposes only above it, UID2 holds across the
 * rejoin, and a request pending across the join gets one uid everywhere. The ABCAST variant's
 * rejoin has its own cases ({@link AbcastRejoinTest}).
 */
class CandidateRejoinTest {
  private static final Recovered RAN_BEFORE = new Recovered(
      new StorageWrite.HardState(CandidateOrder.STARTED), null, List.of());

  private final Harness<CandidateOrder> h = CuidClusters.started(3, true);
  /** Every broadcast replica 2 sent since its restart. */
  private final List<Carry> fromJoiner = new ArrayList<>();

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
    assertThat(h.nodes.get(1).failedReplicas()).containsExactly(2);
    h.propose(0, h.request("put c 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(0)).containsExactly("put a 1", "put b 1", "put c 1");
  }

  private void restart(Recovered recovered, StampedConfig config) {
    h.restart(2, (id, members) -> new CandidateOrder(config, recovered, true));
    h.lie(2, (from, outbound, random) -> {
      if (outbound.message() instanceof Carry c && !fromJoiner.contains(c)) {
        fromJoiner.add(c);
      }
      return List.of(outbound);
    });
  }

  private void restart() {
    restart(RAN_BEFORE, StampedConfig.defaults(2, h.members));
  }

  private void assertAllAgreeAndNothingBroke() {
    assertThat(h.state.get(2)).isEqualTo(h.state.get(0)).isEqualTo(h.state.get(1));
    for (int id : h.members) {
      assertThat(h.nodes.get(id).drainBrokenAssumptions()).as("replica " + id).isEmpty();
    }
  }

  @Test
  void aRestartedReplicaTakesTheDonorsStateAndThenOrdersLikeEveryone() {
    twoFailsAndIsDeclaredFailed();
    restart();
    assertThat(h.nodes.get(2).joining()).isTrue();
    assertThat(h.nodes.get(2).repairing()).isTrue();
    h.propose(2, h.request("put early 1"));
    assertThat(h.redirects.get(2)).singleElement().satisfies(r -> {
      assertThat(r.busy()).as("the client retries: nothing was ordered").isTrue();
      assertThat(r.reason()).contains("rejoining", "§7.2");
    });
    h.tickAll(800, 10);
    assertThat(h.nodes.get(2).joining()).isFalse();
    assertThat(h.state.get(2)).as("the donor's state").containsExactly("put a 1", "put b 1",
        "put c 1");
    assertThat(h.nodes.get(0).failedReplicas()).as("waited for again").isEmpty();
    assertThat(h.nodes.get(1).failedReplicas()).isEmpty();
    h.propose(2, h.request("put d 1"));
    h.propose(1, h.request("put e 1"));
    h.propose(0, h.request("put f 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(2)).hasSize(6);
    assertAllAgreeAndNothingBroke();
  }

  @Test
  void aWipedReplicaOfAStartedClusterRejoinsWithNoStateOfItsOwn() {
    twoFailsAndIsDeclaredFailed();
    restart(Recovered.EMPTY, StampedConfig.defaults(2, h.members).started());
    assertThat(h.nodes.get(2).joining()).as("empty storage, but the cluster ran").isTrue();
    h.tickAll(800, 10);
    assertThat(h.state.get(2)).containsExactly("put a 1", "put b 1", "put c 1");
    h.propose(2, h.request("put d 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(2)).hasSize(4);
    assertAllAgreeAndNothingBroke();
  }

  /**
   * Boundary, and a request pending across the join: r is handed to 1 and seen by 0, which has
   * accepted it when 2 asks to rejoin; 0's admission counts r below the boundary, and 1 accepts
   * r (0's candidate comes before the admission in 0's broadcasts) without waiting for 2. r is
   * not processed at 0 before the state is taken (it waits for the readmitted 2's
   * acknowledgement), so it reaches 2 as pending; 2 proposes no candidate for it, takes 0's and
   * 1's largest as everyone does, and all three apply it at one position.
   */
  @Test
  void aRequestPendingAcrossTheJoinIsBelowTheBoundaryAndGetsOneUidEverywhere() {
    twoFailsAndIsDeclaredFailed();
    List<CuidMessage.JoinState> states = new ArrayList<>();
    h.lie(0, (from, outbound, random) -> {
      if (outbound.message() instanceof CuidMessage.JoinState s) {
        states.add(s);
      }
      return List.of(outbound);
    });
    restart();
    h.propose(1, h.request("put r 1"));
    h.holdFrom(1).stream().filter(f -> f.to() == 0).forEach(h::deliver); // 0 sees r, accepts
    List<Flight> fromZero = h.holdFrom(0); // 0's candidate for r, not yet at 1
    h.step(2, new io.lockstep.order.Input.Tick(h.now + 1, 1_700_000_000_001L + h.now));
    h.holdFrom(2).forEach(h::deliver); // 2 asks; 0 admits it with r below the boundary
    assertThat(h.nodes.get(0).boundaries).containsKey(2);
    fromZero.forEach(h::deliver);
    h.propose(0, h.request("put s 1"));
    h.tickAll(400, 10);
    assertThat(states).as("r reached the joiner pending").isNotEmpty().allSatisfy(s -> assertThat(
        s.pending()).anyMatch(c -> c.kind() == Kind.REQUEST && c.origin() == 1));
    assertThat(h.state.get(0)).containsSubsequence("put r 1", "put s 1");
    assertThat(fromJoiner).as("2 proposes nothing for r, below its boundary")
        .noneMatch(c -> c.kind() == Kind.CANDIDATE && c.requestOrigin() == 1
            && c.requestSeq() <= admissionOf(2).ack(1));
    assertAllAgreeAndNothingBroke();
  }

  /**
   * The joiner's candidates: only for requests above its boundary, the first above its donor's
   * SEEN and ACCEPT and above every candidate of its own earlier life (UID2 and uniqueness
   * across the rejoin).
   */
  @Test
  void theJoinersCandidatesAreAboveItsBoundaryAndAboveEverythingBeforeIt() {
    h.tickAll(100, 10);
    for (int i = 0; i < 5; i++) {
      h.propose(2, h.request("put old" + i + " 1")); // 2's earlier life proposes counters
    }
    h.tickAll(200, 10);
    h.crash(2);
    h.tickAll(1_000, 10);
    h.propose(0, h.request("put c 1"));
    h.tickAll(200, 10);
    long before = h.nodes.get(0).ledger.acceptMax();
    restart();
    h.tickAll(800, 10);
    assertThat(h.nodes.get(2).joining()).isFalse();
    for (int i = 0; i < 3; i++) {
      h.propose(i, h.request("put new" + i + " 1"));
    }
    h.tickAll(300, 10);
    long[] boundary = admissionOf(2).acks();
    List<Carry> candidates = fromJoiner.stream().filter(c -> c.kind() == Kind.CANDIDATE)
        .toList();
    assertThat(candidates).hasSize(3).allSatisfy(c -> {
      assertThat(c.requestSeq()).as("above the boundary").isGreaterThan(boundary[
          c.requestOrigin()]);
      assertThat(c.counter()).as("UID2 across the rejoin").isGreaterThan(before);
    });
    assertThat(h.state.get(0)).hasSize(9);
    assertAllAgreeAndNothingBroke();
  }

  /** The admission replica 0 broadcast for {@code joiner}, as replica 1 delivered it. */
  private Carry admissionOf(int joiner) {
    long[] counts = h.nodes.get(1).boundaries.get(joiner);
    assertThat(counts).as("replica 1 delivered the admission").isNotNull();
    return new Carry(0, 1, counts, 0, 0, Kind.ADMIT, joiner, 0, 0, null);
  }
}
