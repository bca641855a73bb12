package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.stamped.Uid;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every live replica gives a request the same uid, whether it accepted the request before or
 * after declaring a replica failed whose candidate it holds (paper §3.2.3 with §3.2.1's failure
 * detection assumption).
 */
class CandidateUidAgreementTest {
  private static final int C = 0;
  private static final int A = 1;
  private static final int B = 2;
  private static final int Q = 3;

  /**
   * q disseminates r and its candidate (1, q), the largest, to A and B only, then crashes. C
   * suspects q before any relay shows it r, so C's report (suspecting q) precedes C's candidate
   * in C's broadcasts. A gets C's candidate while B's report is still on the way: A accepts r
   * with q live. B holds every message of q that A holds (the failure notices), declares q
   * failed, and only then gets C's candidate. Counting only the replicas it needs, B would give
   * r the uid (1, B); A gave it (1, q).
   */
  @Test
  void aReplicaThatAcceptsAfterDeclaringTheProposerFailedCountsItsHeldCandidate() {
    Harness<CandidateOrder> h = CuidClusters.started(4, true);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    Request r = h.request("put x 1");
    h.propose(Q, r);
    for (Harness.Flight f : h.holdFrom(Q)) {
      if (f.to() == A || f.to() == B) {
        h.deliver(f);
      }
    }
    h.crash(Q);
    h.deliverAll();
    h.tickAll(250, 10); // A, B and C keep hearing each other; q is silent
    long at = h.now + 60; // past q's failure timeout, not past anyone else's
    h.now = at;
    for (int id : List.of(C, A, B)) {
      h.step(id, new Input.Tick(at, 1_700_000_000_000L + at));
    }
    List<Harness.Flight> bToA = new ArrayList<>();
    Uid atB = null; // B may process r as soon as it accepts it: read its uid right then
    while (!h.inFlight.isEmpty()) {
      Harness.Flight f = h.inFlight.remove(0);
      if (f.from() == B && f.to() == A) {
        bToA.add(f);
        continue;
      }
      h.deliver(f);
      atB = atB != null ? atB : acceptedUid(h.nodes.get(B), r);
    }
    assertThat(h.nodes.get(B).failedReplicas()).as("B declared q failed").containsExactly(Q);
    assertThat(h.nodes.get(A).failedReplicas()).as("A still counts q live").isEmpty();
    Uid atA = acceptedUid(h.nodes.get(A), r);
    assertThat(atA).as("A accepted r").isEqualTo(new Uid(1, Q));
    assertThat(atB).as("B's uid for r").isEqualTo(atA);

    h.inFlight.addAll(0, bToA);
    h.deliverAll();
    h.tickAll(500, 10);
    for (int id : List.of(C, A, B)) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(r);
    }
  }

  /** The uid {@code order} accepted {@code r} with, not yet processed; null if none. */
  private static Uid acceptedUid(CandidateOrder order, Request r) {
    return order.ledger.accepted().values().stream()
        .filter(p -> r.equals(p.request)).map(p -> p.uid).findFirst().orElse(null);
  }
}
