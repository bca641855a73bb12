package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Client quiescence (paper §3.2.3, O1 and O2) is what keeps an answered request ahead of the
 * client's next one: the scripted counterexample with it switched off, and the same script with
 * it on. The simulated counterpart is {@code QuiescenceOffSimulationTest} (lockstep-sim).
 *
 * <p>Four replicas X, Y, Z, P. Z has seen a request j that no one else has, so its candidate
 * for r1 (disseminated by P) is the largest: uid(r1) = (2, Z). P, whose candidate for j comes
 * after r1's and so above uid(r1), accepts and processes r1 and answers. Without quiescence it
 * does so while X and Y hold none of Z's broadcasts, so neither has accepted r1 (ACCEPT still
 * 0). The client then sends r2 through X; P and Z fail before proposing for it; X and Y propose
 * (2, X) and (2, Y), so uid(r2) = (2, Y), below uid(r1): the survivors put r2 where P
 * answered r1. With quiescence P answers only once X and Y acknowledged Z's candidate, i.e.
 * accepted r1, and their candidates for r2 start above it.
 */
class QuiescenceCounterexampleTest {
  private static final int X = 0;
  private static final int Y = 1;
  private static final int Z = 2;
  private static final int P = 3;

  @Test
  void withQuiescenceTheAnsweredRequestStaysAheadOfTheClientsNextOne() {
    Run run = run(true, null);
    for (int id : List.of(X, Y)) {
      assertThat(h(run).requestsApplied(id)).as("replica %d", id)
          .containsSubsequence(run.r1, run.r2);
    }
    assertThat(h(run).requestsApplied(X).get(0)).isEqualTo(h(run).requestsApplied(P).get(0));
  }

  @Test
  void withoutQuiescenceTheSurvivorsOrderTheNextRequestFirst() {
    Run run = run(false, null);
    assertThat(h(run).requestsApplied(P)).as("P answered r1 first").startsWith(run.r1);
    for (int id : List.of(X, Y)) {
      assertThat(h(run).requestsApplied(id)).as("replica %d", id)
          .containsSubsequence(run.r2, run.r1);
    }
  }

  /**
   * O2 along a causal chain: client b learns of r1's answer and only then sends r2 (the same
   * script, r2 now b's). The order cannot tell the clients apart, so quiescence keeps the cause
   * first exactly as it does for one client, and without it the survivors put the effect first.
   */
  @Test
  void o2ARequestAnotherClientSendsAfterSeeingTheAnswerIsOrderedAfterItOnlyWithQuiescence() {
    Run on = run(true, "b");
    Run off = run(false, "b");
    for (int id : List.of(X, Y)) {
      assertThat(h(on).requestsApplied(id)).as("quiescence on, replica %d", id)
          .containsSubsequence(on.r1, on.r2);
      assertThat(h(off).requestsApplied(id)).as("quiescence off, replica %d", id)
          .containsSubsequence(off.r2, off.r1);
    }
  }

  private record Run(Harness<CandidateOrder> h, Request r1, Request r2) {}

  private static Harness<CandidateOrder> h(Run run) {
    return run.h;
  }

  /** The script; r2 is client {@code nextClient}'s, or the same client's when null. */
  private static Run run(boolean quiescence, String nextClient) {
    Harness<CandidateOrder> h = CuidClusters.started(4, quiescence);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    Request j = h.request("put y 0");
    Request r1 = h.request("put x 1");
    h.propose(Z, j);
    List<Harness.Flight> fromZ = new ArrayList<>(h.holdFrom(Z)); // Z's broadcasts, held
    h.propose(P, r1); // P proposes (1, P) for r1 before it sees j
    h.inFlight.addAll(0, fromZ.stream().filter(f -> f.to() == P).toList());
    fromZ.removeIf(f -> f.to() == P);
    // Everything flows but Z's broadcasts to X and Y.
    h.deliverAllHolding(f -> f.from() == Z && f.to() != P, fromZ);
    if (h.applied.get(P).isEmpty()) { // P waits: the client waits for the answer
      h.inFlight.addAll(0, fromZ);
      fromZ.clear();
      h.deliverAll();
    }
    assertThat(h.requestsApplied(P)).as("r1 answered").contains(r1);
    h.crash(P);
    Request r2 = nextClient == null ? h.request("put x 2")
        : Harness.request(nextClient, "put x 2");
    h.propose(X, r2);
    List<Harness.Flight> toZ = new ArrayList<>();
    h.deliverAllHolding(f -> f.to() == Z, toZ); // Z fails before it sees r2
    h.inFlight.addAll(fromZ); // Z's broadcasts, sent before it failed, arrive after r2
    h.deliverAll();
    h.crash(Z);
    h.tickAll(1_000, 10);
    return new Run(h, r1, r2);
  }
}
