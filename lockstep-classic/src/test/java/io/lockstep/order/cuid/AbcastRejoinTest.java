package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Commuting;
import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.cuid.CuidMessage.Candidate;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.Uid;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.Harness.Flight;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restarted replica rejoins replica-uid's ABCAST variant (paper §7.2, {@link CandidateJoin},
 * {@link AbcastCoordinator}), scripted on three replicas: a joiner that is not the coordinator;
 * a restarted former coordinator whose request is pending across its join, which then takes
 * over as the lowest live replica; and a request above the admission's boundary, whose
 * coordinator must wait for the joiner's candidate although it learns of the admission late.
 */
class AbcastRejoinTest {
  private static final Recovered RAN_BEFORE = new Recovered(
      new StorageWrite.HardState(CandidateOrder.STARTED), null, List.of());

  private final Harness<CandidateOrder> h = CuidClusters.abcast(3);
  /** Every message delivered, in order. */
  private final List<Flight> delivered = new ArrayList<>();

  AbcastRejoinTest() {
    h.onArrival(delivered::add);
  }

  private void restart(int id, Recovered recovered, StampedConfig config) {
    h.restart(id, (i, members) -> new CandidateOrder(config, recovered, true, UidChoice.ABCAST,
        Commuting.NOTHING));
  }

  private void restart(int id) {
    restart(id, RAN_BEFORE, StampedConfig.defaults(id, h.members));
  }

  /** Two requests applied everywhere, then {@code down} crashes and is declared failed. */
  private void twoAppliedThenFails(int down) {
    h.tickAll(100, 10);
    h.propose(0, h.request("put a 1"));
    h.propose(1, h.request("put b 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(down)).hasSize(2);
    h.crash(down);
    h.tickAll(1_000, 10);
    for (int id : h.members) {
      if (id != down) {
        assertThat(h.nodes.get(id).failedReplicas()).containsExactly(down);
      }
    }
  }

  /** The id of the request replica {@code origin} just disseminated (still in flight). */
  private Proposal.Id inFlightRequest(int origin) {
    return h.inFlight.stream().map(Flight::message)
        .filter(m -> m instanceof Carry c && c.origin() == origin && c.kind() == Kind.REQUEST)
        .map(m -> new Proposal.Id(origin, ((Carry) m).seq())).findFirst().orElseThrow();
  }

  /** The final uids delivered for {@code id}, with the replica that broadcast each. */
  private List<Carry> finalsFor(Proposal.Id id) {
    return delivered.stream().map(Flight::message)
        .filter(m -> m instanceof Carry c && c.kind() == Kind.FINAL
            && c.requestOrigin() == id.origin() && c.requestSeq() == id.seq())
        .map(Carry.class::cast).distinct().toList();
  }

  /** The candidates {@code from} sent for {@code id} that arrived, and where they went. */
  private List<Flight> candidatesFor(Proposal.Id id, int from) {
    return delivered.stream().filter(f -> f.message() instanceof Candidate c
        && c.origin() == from && c.requestOrigin() == id.origin() && c.requestSeq() == id.seq())
        .toList();
  }

  private void assertAgreeAndNothingBroke(int... replicas) {
    for (int id : replicas) {
      assertThat(h.state.get(id)).as("replica " + id).isEqualTo(h.state.get(replicas[0]));
      assertThat(h.nodes.get(id).drainBrokenAssumptions()).as("replica " + id).isEmpty();
    }
  }

  @Test
  void aJoinerThatIsNotTheCoordinatorTakesTheStateAndSendsItsCandidatesToEachCoordinator() {
    twoAppliedThenFails(2);
    h.propose(0, h.request("put c 1"));
    h.tickAll(200, 10);
    restart(2);
    assertThat(h.nodes.get(2).joining()).isTrue();
    h.tickAll(800, 10);
    assertThat(h.nodes.get(2).joining()).isFalse();
    assertThat(h.state.get(2)).as("the donor's state").containsExactly("put a 1", "put b 1",
        "put c 1");
    List<Proposal.Id> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      h.propose(i, h.request("put new" + i + " 1"));
      ids.add(inFlightRequest(i));
    }
    h.tickAll(300, 10);
    for (Proposal.Id id : ids) {
      assertThat(finalsFor(id)).as("one final uid, from its coordinator").singleElement()
          .satisfies(f -> assertThat(f.origin()).isEqualTo(id.origin()));
      if (id.origin() != 2) {
        assertThat(candidatesFor(id, 2)).as("the joiner's candidate, to the coordinator")
            .isNotEmpty().allSatisfy(f -> assertThat(f.to()).isEqualTo(id.origin()));
      }
    }
    assertThat(h.state.get(2)).hasSize(6);
    assertAgreeAndNothingBroke(0, 1, 2);
  }

  @Test
  void aWipedReplicaOfAStartedClusterRejoinsWithNoStateOfItsOwn() {
    twoAppliedThenFails(2);
    restart(2, Recovered.EMPTY, StampedConfig.defaults(2, h.members).started());
    assertThat(h.nodes.get(2).joining()).as("empty storage, but the cluster ran").isTrue();
    h.tickAll(800, 10);
    h.propose(2, h.request("put d 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(2)).containsExactly("put a 1", "put b 1", "put d 1");
    assertAgreeAndNothingBroke(0, 1, 2);
  }

  /**
   * 0 disseminates r and crashes before deciding it; 1 takes over as the lowest live replica
   * but lacks 2's candidate until 0 has rejoined, so r is pending across the join. r is below
   * 0's boundary: 1 stays its coordinator although 0, its origin and the lowest replica, is
   * live again; 0 proposes nothing for it and waits for 1's final uid. Then 2 fails with a
   * request of its own undecided, and the rejoined 0, now the lowest live replica, takes over.
   */
  @Test
  void aRestartedFormerCoordinatorNeverDecidesItsEarlierRequestsAndTakesOverNewOnes() {
    h.tickAll(100, 10);
    h.propose(1, h.request("put b 1"));
    h.tickAll(100, 10);
    boolean[] holdCandidate = {true};
    Request r = h.request("put r 1");
    h.propose(0, r);
    Proposal.Id rId = inFlightRequest(0);
    h.lie(2, (from, out, random) -> holdCandidate[0] && out.message() instanceof Candidate c
        && c.requestOrigin() == 0 ? List.of() : List.of(out));
    h.deliverAllHolding(f -> f.to() == 0, new ArrayList<>()); // r's candidates to 0 are lost
    h.crash(0);
    h.tickAll(1_000, 10);
    assertThat(h.nodes.get(1).failedReplicas()).containsExactly(0);
    assertThat(h.requestsApplied(1)).as("1 coordinates r now, without 2's candidate yet")
        .doesNotContain(r);
    restart(0);
    h.tickAll(800, 10);
    assertThat(h.nodes.get(0).joining()).isFalse();
    assertThat(h.nodes.get(1).failedReplicas()).isEmpty();
    assertThat(h.requestsApplied(1)).as("r pending across the join").doesNotContain(r);
    holdCandidate[0] = false;
    h.tickAll(300, 10);
    assertThat(finalsFor(rId)).as("r's uid, chosen once, by its takeover coordinator")
        .singleElement().satisfies(f -> assertThat(f.origin()).isEqualTo(1));
    assertThat(candidatesFor(rId, 0)).as("0 proposes nothing below its boundary").isEmpty();
    assertThat(h.state.get(0)).containsExactly("put b 1", "put r 1");
    assertAgreeAndNothingBroke(0, 1, 2);

    Request q = h.request("put q 1");
    h.propose(2, q);
    Proposal.Id qId = inFlightRequest(2);
    h.deliverAllHolding(f -> f.to() == 2, new ArrayList<>());
    h.crash(2);
    h.tickAll(1_000, 10);
    assertThat(finalsFor(qId)).as("the rejoined 0, lowest live, took over").singleElement()
        .satisfies(f -> assertThat(f.origin()).isZero());
    assertThat(h.nodes.get(0).takeovers()).isEqualTo(1);
    assertThat(h.state.get(0)).containsExactly("put b 1", "put r 1", "put q 1");
    assertAgreeAndNothingBroke(0, 1);
  }

  /**
   * s is handed to 1 after 0 admitted 2, and reaches 0 after the admission: s is above the
   * boundary and needs 2's candidate. 0's candidate for s reaches 1 before 0's admission does
   * (a plain message overtaking a broadcast); 1 must not decide s then, as if 2 were still
   * failed: it waits for 0's broadcast acknowledging s, which follows the admission, and then
   * for 2's candidate. So uid(s) is at least 2's candidate (UID1 at the joiner).
   */
  @Test
  void aRequestAboveTheBoundaryWaitsForTheJoinersCandidateThoughItsCoordinatorLearnsLate() {
    twoAppliedThenFails(2);
    restart(2);
    h.step(2, new Input.Tick(h.now + 1, 1_700_000_000_001L + h.now));
    h.holdFrom(2).forEach(h::deliver); // 2 asks 0, which admits it
    assertThat(h.nodes.get(0).boundaries).containsKey(2);
    List<Flight> admission = h.holdFrom(0);
    h.propose(1, h.request("put s 1"));
    Proposal.Id sId = inFlightRequest(1);
    h.holdFrom(1).stream().filter(f -> f.to() == 0).forEach(h::deliver); // 0 sees s
    List<Flight> fromZero = h.holdFrom(0);
    fromZero.stream().filter(f -> f.message() instanceof Candidate).forEach(h::deliver);
    assertThat(h.inFlight).as("1 does not decide s before it knows of the admission")
        .noneMatch(f -> f.message() instanceof Carry c && c.kind() == Kind.FINAL);
    admission.forEach(h::deliver);
    fromZero.stream().filter(f -> !(f.message() instanceof Candidate)).forEach(h::deliver);
    h.tickAll(800, 10);
    assertThat(h.nodes.get(2).joining()).isFalse();
    List<Flight> joiners = candidatesFor(sId, 2);
    assertThat(joiners).as("2 proposed for s, above its boundary").isNotEmpty();
    Candidate own = (Candidate) joiners.get(0).message();
    assertThat(finalsFor(sId)).singleElement().satisfies(f -> assertThat(
        new Uid(f.counter(), f.winner())).as("UID1 at the joiner")
        .isGreaterThanOrEqualTo(new Uid(own.counter(), 2)));
    assertThat(h.state.get(2)).contains("put s 1");
    assertAgreeAndNothingBroke(0, 1, 2);
  }
}
