package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scripted scenarios for order by logical clocks (paper §3.2.1), named after its rules. */
class LogicalClockOrderTest {
  private static Harness<StampedOrder> started(int n) {
    Harness<StampedOrder> h = LogicalClusters.logical(n);
    h.tickAll(1, 1);
    return h;
  }

  private static Broadcast only(List<Harness.Flight> flights) {
    return (Broadcast) flights.get(0).message();
  }

  @Test
  void lc1EveryBroadcastOfAReplicaHasALargerUidThanItsPrevious() {
    Harness<StampedOrder> h = started(3);
    h.propose(0, h.request("a"));
    long first = only(h.holdFrom(0)).uidTime();
    h.propose(0, h.request("b"));
    List<Harness.Flight> next = h.holdFrom(0);
    assertThat(next).allSatisfy(f -> assertThat(((Broadcast) f.message()).uidTime())
        .isGreaterThan(first));
  }

  @Test
  void lc2AndO2ARequestCausedByAnotherGetsALargerUidAndIsProcessedAfterItEverywhere() {
    Harness<StampedOrder> h = started(3);
    // A causal chain 1 -> 2 -> 0. Replica 1 is busy; its broadcasts reach 2 only (for now).
    List<Request> earlier = new ArrayList<>();
    List<Harness.Flight> oneToZero = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Request r = h.request("busy " + i);
      earlier.add(r);
      h.propose(1, r);
      h.inFlight.removeIf(f -> f.to() == 0 && oneToZero.add(f));
      h.deliverAll();
      h.inFlight.removeIf(f -> f.to() == 0 && oneToZero.add(f));
    }
    h.inFlight.removeIf(f -> f.to() == 0 && oneToZero.add(f));
    Request cause = h.request("put x 1");
    h.propose(2, cause);
    List<Harness.Flight> twoToOne = new ArrayList<>();
    for (Harness.Flight f : h.holdFrom(2)) {
      if (f.to() == 0) {
        h.deliver(f);
      } else {
        twoToOne.add(f);
      }
    }
    long causeUid = twoToOne.stream().map(f -> (Broadcast) f.message())
        .filter(b -> cause.equals(b.request())).findFirst().orElseThrow().uidTime();
    // A client that saw the cause's effect at 0 issues the effect through 0.
    Request effect = h.request("put y 2");
    h.propose(0, effect);
    Broadcast effectBroadcast = h.inFlight.stream().map(f -> (Broadcast) f.message())
        .filter(b -> effect.equals(b.request())).findFirst().orElseThrow();
    assertThat(effectBroadcast.uidTime()).as("LC2").isGreaterThan(causeUid);
    h.inFlight.addAll(twoToOne);
    h.inFlight.addAll(oneToZero);
    h.deliverAll();
    List<Request> expected = new ArrayList<>(earlier);
    expected.add(cause);
    expected.add(effect);
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).isEqualTo(expected);
    }
  }

  @Test
  void fifoShuffledAndDuplicatedMessagesStillGiveEveryReplicaTheSameOrder() {
    Random random = new Random(11);
    Harness<StampedOrder> h = started(3);
    List<Request> sent = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      Request r = h.request("op" + i);
      sent.add(r);
      h.propose(random.nextInt(3), r);
      if (random.nextInt(4) == 0) {
        List<Harness.Flight> mess = new ArrayList<>(h.inFlight);
        mess.addAll(h.inFlight); // every message twice
        Collections.shuffle(mess, random);
        h.inFlight.clear();
        for (Harness.Flight f : mess) {
          h.deliver(f);
        }
      }
    }
    h.deliverAll();
    h.tickAll(100, 10);
    List<Request> order = h.requestsApplied(0);
    assertThat(order).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(h.requestsApplied(1)).isEqualTo(order);
    assertThat(h.requestsApplied(2)).isEqualTo(order);
    assertThat(positions(h.applied.get(1))).isEqualTo(positions(h.applied.get(0)));
  }

  private static List<Long> positions(List<Ordered> ordered) {
    return ordered.stream().map(Ordered::position).toList();
  }

  @Test
  void silentReplicaBlocksTheStabilityTestUntilItsNullRequestArrives() {
    Harness<StampedOrder> h = started(3);
    Request r = h.request("put x 1");
    h.propose(0, r);
    List<Harness.Flight> fromReplica2 = new ArrayList<>();
    // Deliver everything except what replica 2 says: 2 stays silent to the others.
    for (int round = 0; round < 10 && !h.inFlight.isEmpty(); round++) {
      fromReplica2.addAll(h.holdFrom(2));
      List<Harness.Flight> now = new ArrayList<>(h.inFlight);
      h.inFlight.clear();
      now.forEach(h::deliver);
    }
    fromReplica2.addAll(h.holdFrom(2));
    assertThat(h.applied.get(0)).as("no larger uid from 2 yet").isEmpty();
    assertThat(h.applied.get(1)).isEmpty();
    // 2's null request (its answer to r) arrives: r becomes stable.
    assertThat(fromReplica2).extracting(f -> ((Broadcast) f.message()).kind().name())
        .contains("NULL");
    fromReplica2.forEach(h::deliver);
    h.deliverAll();
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
  }

  @Test
  void idleReplicasSendNullRequestsPeriodically() {
    Harness<StampedOrder> h = started(2);
    h.tickAll(25, 5);
    h.step(0, new Input.Tick(h.now + 20, 0));
    assertThat(h.inFlight).extracting(f -> ((Broadcast) f.message()).kind().name())
        .containsOnly("NULL").isNotEmpty();
  }

  @Test
  void detectedFailedReplicaDoesNotBlockTheStabilityTest() {
    Harness<StampedOrder> h = started(3);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    h.crash(2);
    Request r = h.request("put x 1");
    h.propose(0, r);
    h.deliverAll();
    assertThat(h.applied.get(0)).as("2 not yet detected failed").isEmpty();
    h.tickAll(400, 10); // past the 300 ms failure timeout
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
  }

  @Test
  void failureNoticeComesAfterTheFailedReplicasLastMessageReachedEveryone() {
    // Replica 2 issues r, which reaches 0 only; then 2 fails. 1 must get r (relayed by 0)
    // before it stops waiting for 2, so both process r, at the same position.
    Harness<StampedOrder> h = started(3);
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
    assertThat(h.applied.get(1).get(0).position()).isEqualTo(h.applied.get(0).get(0).position());
  }

  @Test
  void aRequestIsNotProcessedBeforeEveryLiveReplicaHasIt() {
    // Replica 2's clock is far ahead of 0's: its broadcasts reaching 0 carry uids above r's.
    // But 2 has not received r, so r must wait for 2's acknowledgement, or a failure of 0 and
    // 1 would lose a request that 0 had processed and answered.
    Harness<StampedOrder> h = started(3);
    List<Harness.Flight> toZero = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      h.propose(2, h.request("busy " + i));
      h.deliverAllHolding(f -> f.to() == 0, toZero);
    }
    Request r = h.request("put x 1");
    h.propose(0, r);
    Harness.Flight rToTwo = h.inFlight.stream().filter(f -> f.to() == 2).findFirst().orElseThrow();
    h.inFlight.remove(rToTwo);
    long rUid = ((Broadcast) rToTwo.message()).uidTime();
    assertThat(toZero).anySatisfy(f -> assertThat(f.from()).isEqualTo(2))
        .anySatisfy(f -> assertThat(((Broadcast) f.message()).uidTime()).isGreaterThan(rUid));
    h.inFlight.addAll(0, toZero);
    h.deliverAll();
    assertThat(h.requestsApplied(0)).doesNotContain(r);
    h.deliver(rToTwo);
    h.deliverAll();
    assertThat(h.requestsApplied(0)).contains(r);
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
    assertThat(h.requestsApplied(2)).isEqualTo(h.requestsApplied(0));
  }

  @Test
  void linearizableReadIsGrantedOnlyAfterEverythingBeforeItsBarrier() {
    Harness<StampedOrder> h = started(3);
    Request w = h.request("put x 1");
    h.propose(1, w);
    h.deliverAll();
    h.step(0, new Input.Read(77));
    assertThat(h.grants.get(0)).isEmpty();
    h.deliverAll();
    assertThat(h.grants.get(0)).singleElement().satisfies(g -> {
      assertThat(g.readId()).isEqualTo(77);
      assertThat(g.position()).isGreaterThan(h.applied.get(0).get(0).position());
    });
  }
}
