package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scripted scenarios for replica-generated identifiers (paper §3.2.3), named after its rules. */
class CandidateOrderTest {
  /** Every candidate seen in flight: request id → (replica → counter). */
  private static final class Candidates {
    final Map<String, Map<Integer, Long>> byRequest = new HashMap<>();
    final Map<String, Request> requests = new HashMap<>();

    void record(List<Harness.Flight> flights) {
      for (Harness.Flight f : flights) {
        Carry c = (Carry) f.message();
        if (c.kind() == Kind.CANDIDATE) {
          byRequest.computeIfAbsent(c.requestOrigin() + "#" + c.requestSeq(),
              k -> new HashMap<>()).put(c.origin(), c.counter());
        } else if (c.kind() == Kind.REQUEST) {
          requests.put(c.origin() + "#" + c.seq(), c.request());
        }
      }
    }

    /** uid = the largest candidate, as (counter, replica). */
    long[] uid(String id) {
      return byRequest.get(id).entrySet().stream()
          .map(e -> new long[] {e.getValue(), e.getKey()})
          .max(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]))
          .orElseThrow();
    }

    String idOf(Request r) {
      return requests.entrySet().stream().filter(e -> e.getValue().equals(r)).findFirst()
          .orElseThrow().getKey();
    }
  }

  private static void deliverRecording(Harness<CandidateOrder> h, Candidates seen) {
    while (!h.inFlight.isEmpty()) {
      Harness.Flight f = h.inFlight.remove(0);
      seen.record(List.of(f));
      h.deliver(f);
    }
  }

  @Test
  void everyReplicaProcessesRequestsInTheOrderOfTheirLargestCandidates() {
    Random random = new Random(5);
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    Candidates seen = new Candidates();
    List<Request> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Request r = h.request("op" + i);
      sent.add(r);
      h.propose(random.nextInt(3), r);
      if (random.nextInt(3) == 0) {
        List<Harness.Flight> mess = new ArrayList<>(h.inFlight);
        h.inFlight.clear();
        Collections.shuffle(mess, random);
        seen.record(mess);
        mess.forEach(h::deliver);
      }
    }
    deliverRecording(h, seen);
    h.tickAll(100, 10);
    List<Request> order = h.requestsApplied(0);
    assertThat(order).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(h.requestsApplied(1)).isEqualTo(order);
    assertThat(h.requestsApplied(2)).isEqualTo(order);
    List<Request> byUid = new ArrayList<>(sent);
    byUid.sort(Comparator.<Request, long[]>comparing(r -> seen.uid(seen.idOf(r)),
        Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1])));
    assertThat(order).as("uid order").isEqualTo(byUid);
  }

  @Test
  void uid2ARequestSeenAfterAcceptingAnotherGetsALargerCandidate() {
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    Candidates seen = new Candidates();
    Request r = h.request("put x 1");
    h.propose(0, r);
    deliverRecording(h, seen);
    long[] uidR = seen.uid(seen.idOf(r));
    Request later = h.request("put x 2");
    h.propose(2, later);
    deliverRecording(h, seen);
    Map<Integer, Long> candidates = seen.byRequest.get(seen.idOf(later));
    for (int replica : h.members) {
      assertThat(candidates.get(replica)).as("cuid(%d, r')", replica).isGreaterThan(uidR[0]);
    }
    assertThat(h.requestsApplied(1)).containsExactly(r, later);
  }

  @Test
  void counterexampleWithoutClientQuiescenceTheLaterRequestIsOrderedFirst() {
    // A client sends r1 through 0 and, without waiting, r2 through 1. Replicas 1 and 2 see r2
    // first, 0 sees r1 first: uid(r2) < uid(r1), so r2 runs first although it was sent second.
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    Request r1 = h.request("put x 1");
    Request r2 = h.request("put x 2");
    h.propose(0, r1);
    List<Harness.Flight> r1Out = new ArrayList<>(h.inFlight);
    h.inFlight.clear();
    h.propose(1, r2);
    h.deliverAllHolding(f -> false, new ArrayList<>()); // r2 reaches everyone first
    h.inFlight.addAll(r1Out);
    h.deliverAll();
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(r2, r1);
    }
  }

  @Test
  void quiescentClientsRequestsAreOrderedAsSent() {
    // The same client waits for r1's answer — given only once every replica accepted r1 — and
    // then sends r2 through another replica: UID2 puts r2 after r1 everywhere.
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    Request r1 = h.request("put x 1");
    h.propose(0, r1);
    h.deliverAll();
    assertThat(h.requestsApplied(0)).containsExactly(r1);
    Request r2 = h.request("put x 2");
    h.propose(1, r2);
    h.deliverAll();
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(r1, r2);
    }
  }

  @Test
  void quiescenceAnswerWaitsUntilEveryReplicaHasAccepted() {
    for (boolean quiescence : new boolean[] {true, false}) {
      Harness<CandidateOrder> h = CuidClusters.started(3, quiescence);
      Request r = h.request("put x 1");
      h.propose(0, r);
      // Replica 2 gets r and answers with its candidate, but 2 never hears 1's candidate.
      List<Harness.Flight> held = new ArrayList<>();
      h.deliverAllHolding(f -> f.from() == 1 && f.to() == 2, held);
      boolean answered = !h.applied.get(0).isEmpty();
      assertThat(answered).as("answered with quiescence %s", quiescence).isEqualTo(!quiescence);
      held.forEach(h::deliver);
      h.deliverAll();
      assertThat(h.requestsApplied(0)).containsExactly(r);
    }
  }

  @Test
  void detectedFailedReplicasCandidateIsNotWaitedFor() {
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    h.crash(2);
    Request r = h.request("put x 1");
    h.propose(0, r);
    h.deliverAll();
    assertThat(h.applied.get(0)).isEmpty();
    h.tickAll(400, 10);
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
  }

  @Test
  void requestOfAReplicaThatFailedMidDisseminationReachesEveryoneWithOneUid() {
    Harness<CandidateOrder> h = CuidClusters.started(3, true);
    Request r = h.request("put x 1");
    h.propose(2, r);
    for (Harness.Flight f : h.holdFrom(2)) {
      if (f.to() == 0) {
        h.deliver(f);
      }
    }
    h.crash(2);
    h.deliverAll();
    h.tickAll(500, 10);
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
    assertThat(h.applied.get(0).get(0).position()).isEqualTo(h.applied.get(1).get(0).position());
  }
}
