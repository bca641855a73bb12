package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.cuid.CuidMessage.Candidate;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Uid;
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

/**
 * The ABCAST variant of replica-generated identifiers (paper §3.2.3, Birman and Joseph):
 * candidates go to the request's coordinator, which disseminates the largest as the uid; scripted
 * scenarios named after its rules.
 */
class AbcastOrderTest {
  /** What went by in flight: final uids by request, candidates by request, requests by id. */
  private static final class Seen {
    final Map<String, Uid> finals = new HashMap<>();
    final Map<String, Map<Integer, Long>> candidates = new HashMap<>();
    final Map<String, Integer> candidatesTo = new HashMap<>();
    final Map<String, Request> requests = new HashMap<>();
    int candidateBroadcasts;

    void record(Harness.Flight f) {
      if (f.message() instanceof Candidate c) {
        String id = c.requestOrigin() + "#" + c.requestSeq();
        candidates.computeIfAbsent(id, k -> new HashMap<>()).put(c.origin(), c.counter());
        candidatesTo.put(id + "@" + c.origin(), f.to());
      } else if (f.message() instanceof Carry c) {
        String id = c.requestOrigin() + "#" + c.requestSeq();
        switch (c.kind()) {
          case FINAL -> finals.put(id, new Uid(c.counter(), c.winner()));
          case REQUEST -> requests.put(c.origin() + "#" + c.seq(), c.request());
          case CANDIDATE -> candidateBroadcasts++;
          default -> { }
        }
      }
    }

    String idOf(Request r) {
      return requests.entrySet().stream().filter(e -> e.getValue().equals(r)).findFirst()
          .orElseThrow().getKey();
    }
  }

  private static void deliverRecording(Harness<CandidateOrder> h, Seen seen) {
    while (!h.inFlight.isEmpty()) {
      Harness.Flight f = h.inFlight.remove(0);
      seen.record(f);
      h.deliver(f);
    }
  }

  /** Like {@link Harness#tickAll}, recording what flies. */
  private static void tickRecording(Harness<CandidateOrder> h, Seen seen, long millis) {
    for (long t = 0; t < millis; t += 10) {
      h.now += 10;
      for (int id : h.members) {
        h.step(id, new io.lockstep.order.Input.Tick(h.now, 1_700_000_000_000L + h.now));
      }
      deliverRecording(h, seen);
    }
  }

  @Test
  void everyReplicaProcessesRequestsInTheOrderOfTheCoordinatorsFinalUids() {
    Random random = new Random(7);
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    Seen seen = new Seen();
    List<Request> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Request r = h.request("op" + i);
      sent.add(r);
      h.propose(random.nextInt(3), r);
      if (random.nextInt(3) == 0) {
        List<Harness.Flight> mess = new ArrayList<>(h.inFlight);
        h.inFlight.clear();
        Collections.shuffle(mess, random);
        for (Harness.Flight f : mess) {
          seen.record(f);
          h.deliver(f);
        }
      }
    }
    deliverRecording(h, seen);
    h.tickAll(100, 10);
    List<Request> order = h.requestsApplied(0);
    assertThat(order).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(h.requestsApplied(1)).isEqualTo(order);
    assertThat(h.requestsApplied(2)).isEqualTo(order);
    List<Request> byUid = new ArrayList<>(sent);
    byUid.sort(Comparator.comparing(r -> seen.finals.get(seen.idOf(r))));
    assertThat(order).as("final uid order").isEqualTo(byUid);
  }

  @Test
  void uid1TheFinalUidIsTheLargestCandidateAndCandidatesGoOnlyToTheCoordinator() {
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    Seen seen = new Seen();
    h.propose(1, h.request("put x 1")); // 1 sees it first: its candidate is the smallest
    h.propose(2, h.request("put x 2"));
    deliverRecording(h, seen);
    assertThat(seen.candidateBroadcasts).as("no candidate is broadcast").isZero();
    assertThat(seen.finals).hasSize(2);
    for (Map.Entry<String, Uid> f : seen.finals.entrySet()) {
      int coordinator = Integer.parseInt(f.getKey().split("#")[0]);
      Map<Integer, Long> others = seen.candidates.get(f.getKey());
      assertThat(others).as("every other replica's candidate").hasSize(2)
          .doesNotContainKey(coordinator);
      others.keySet().forEach(from -> assertThat(seen.candidatesTo.get(f.getKey() + "@" + from))
          .as("sent to the coordinator").isEqualTo(coordinator));
      Uid largestOther = others.entrySet().stream().map(e -> new Uid(e.getValue(), e.getKey()))
          .max(Comparator.naturalOrder()).orElseThrow();
      assertThat(f.getValue()).as("final uid ≥ every candidate (UID1)")
          .isGreaterThanOrEqualTo(largestOther);
      assertThat(others.containsKey(f.getValue().process())
          || f.getValue().process() == coordinator).isTrue();
    }
  }

  @Test
  void aLostCandidateIsResentUntilTheRequestIsAccepted() {
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    Request r = h.request("put x 1");
    h.propose(0, r);
    List<Harness.Flight> lost = new ArrayList<>();
    h.deliverAllHolding(f -> f.message() instanceof Candidate && f.from() == 2, lost);
    assertThat(lost).isNotEmpty();
    assertThat(h.applied.get(0)).as("waits for 2's candidate").isEmpty();
    h.tickAll(110, 10); // one resend interval; 2 is alive and talking, never detected failed
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(r);
    }
    assertThat(h.nodes.get(0).failedReplicas()).isEmpty();
  }

  @Test
  void whenTheCoordinatorFailsTheLowestLiveReplicaTakesOverAndChoosesTheUid() {
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    Request r = h.request("put x 1");
    h.propose(2, r);
    // 2's request reaches everyone, the candidates to 2 are lost with it.
    h.deliverAllHolding(f -> f.to() == 2, new ArrayList<>());
    h.crash(2);
    Seen seen = new Seen();
    tickRecording(h, seen, 500);
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
    assertThat(h.applied.get(0).get(0).position()).isEqualTo(h.applied.get(1).get(0).position());
    assertThat(seen.candidatesTo.entrySet()).as("1 resent its candidate to the new coordinator")
        .anySatisfy(e -> {
          assertThat(e.getKey()).startsWith("2#").endsWith("@1");
          assertThat(e.getValue()).isZero();
        });
  }

  @Test
  void aFinalUidThatReachedOneReplicaBeforeItsCoordinatorFailedIsTheOneEveryoneUses() {
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    h.tickAll(30, 10);
    Request r = h.request("put x 1");
    h.propose(2, r);
    h.deliverAllHolding(f -> f.from() == 2 && f.message() instanceof Carry c
        && c.kind() == Kind.FINAL && f.to() == 0, new ArrayList<>());
    h.crash(2); // its final uid reached 1, not 0
    Seen seen = new Seen();
    tickRecording(h, seen, 500);
    assertThat(seen.finals).as("0 never chose a second uid").doesNotContainKey("2#1");
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
    assertThat(h.nodes.get(0).drainBrokenAssumptions()).isEmpty();
  }

  /**
   * 0 sees r late, after accepting q, so its candidate for r is above uid(q), and processes q.
   * Then 0 and r's coordinator 2 fail, 0's candidate (sent to 2 alone) with them. 1 takes over
   * r with only its own candidate, below uid(q) (1 saw r before q): it must still order r after
   * q, as 0 did (fails without the coordinator's fresh candidate).
   */
  @Test
  void aTakeoverOrdersARequestAfterWhatAFailedReplicaProcessedTrustingItsLostCandidate() {
    Harness<CandidateOrder> h = CuidClusters.abcast(3);
    h.tickAll(30, 10);
    Request r = h.request("put r 1");
    Request q = h.request("put q 1");
    h.propose(2, r);
    List<Harness.Flight> toZero = new ArrayList<>();
    h.deliverAllHolding(f -> f.from() == 2 && f.to() == 0, toZero); // 1 sees r, 0 does not
    h.propose(1, q);
    h.deliverAllHolding(f -> f.from() == 2 && f.to() == 0, toZero); // q accepted everywhere
    for (Harness.Flight f : toZero) {
      h.deliver(f); // 0 sees r now, above uid(q), then 2's acknowledgement of q's final uid
    }
    assertThat(h.requestsApplied(0)).containsExactly(q);
    h.crash(0); // with its candidate for r, still on its way to 2
    h.crash(2);
    h.tickAll(1_000, 10);
    assertThat(h.nodes.get(1).failedReplicas()).containsExactlyInAnyOrder(0, 2);
    assertThat(h.requestsApplied(1)).containsExactly(q, r);
    assertThat(h.nodes.get(1).drainBrokenAssumptions()).isEmpty();
  }
}
