package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Order by synchronized real-time clocks (paper §3.2.2): test I, test II and the combined test on
 * hand-driven clocks (every replica's clock reads the same; Δ = 150 ms, failure timeout 300 ms).
 */
class RealTimeClockTest {
  private static final long DELTA = 150;

  private static Harness<StampedOrder> started(RealTimeClock.Test test) {
    Harness<StampedOrder> h = RealTimeClusters.realTime(3, test, DELTA);
    h.tickAll(10, 10);
    return h;
  }

  @Test
  void testIRequestIsStableOnceTheLocalClockPassesUidPlusDelta() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.I);
    h.crash(2); // silent, and not detected failed within Δ
    Request r = h.request("put x 1");
    h.propose(0, r);
    h.deliverAll();
    h.tickAll(140, 10);
    assertThat(h.applied.get(0)).as("uid + Δ not yet passed").isEmpty();
    h.tickAll(20, 10);
    assertThat(h.requestsApplied(0)).containsExactly(r);
    assertThat(h.requestsApplied(1)).containsExactly(r);
    assertThat(h.nodes.get(0).failedReplicas()).as("no failure detection needed").isEmpty();
  }

  @Test
  void testIIRequestIsStableOnceEveryReplicaSentALargerUidWithoutWaitingForDelta() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.II);
    Request r = h.request("put x 1");
    h.propose(0, r);
    h.deliverAll(); // no clock advances at all
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(r);
    }
  }

  @Test
  void testIIAloneWaitsForASilentReplicaUntilItIsDetectedFailed() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.II);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    h.crash(2);
    Request r = h.request("put x 1");
    h.propose(0, r);
    h.deliverAll();
    h.tickAll(200, 10);
    assertThat(h.applied.get(0)).as("past Δ, but test II ignores time").isEmpty();
    h.tickAll(200, 10);
    assertThat(h.requestsApplied(0)).containsExactly(r);
  }

  @Test
  void combinedTestIsImmediateWhenEveryoneTalksAndLagsByDeltaOnlyWhenOneIsSilent() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.COMBINED);
    Request fast = h.request("put x 1");
    h.propose(0, fast);
    h.deliverAll();
    assertThat(h.requestsApplied(0)).as("test II passes at once").containsExactly(fast);
    h.crash(2);
    Request slow = h.request("put x 2");
    h.propose(0, slow);
    h.deliverAll();
    h.tickAll(140, 10);
    assertThat(h.requestsApplied(0)).containsExactly(fast);
    h.tickAll(20, 10);
    assertThat(h.requestsApplied(0)).as("test I passes after Δ").containsExactly(fast, slow);
    assertThat(h.requestsApplied(1)).containsExactly(fast, slow);
  }

  @Test
  void o1AtMostOneUidPerReplicaPerClockTick() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.COMBINED);
    h.propose(0, h.request("a"));
    h.propose(0, h.request("b"));
    List<Long> uids = h.inFlight.stream().filter(f -> f.to() == 1)
        .map(f -> (Broadcast) f.message()).filter(b -> b.request() != null)
        .map(Broadcast::uidTime).toList();
    assertThat(uids).hasSize(2);
    assertThat(uids.get(1)).isGreaterThan(uids.get(0));
  }

  @Test
  void o2ARequestIssuedAfterReceivingAnotherHasALargerUidEvenWithASlowClock() {
    RealTimeClock fastClock = new RealTimeClock(RealTimeClock.Test.COMBINED, DELTA);
    RealTimeClock slowClock = new RealTimeClock(RealTimeClock.Test.COMBINED, DELTA);
    long cause = fastClock.stamp(1_000);
    slowClock.received(cause);
    assertThat(slowClock.stamp(998)).isGreaterThan(cause);
  }

  @Test
  void o2ARequestIssuedAfterItsCauseArrivedIsOrderedAfterItEverywhereThoughTheClockIsBehind() {
    // Replica 1's clock runs 40 ms ahead of the others. Its broadcast of the cause reaches
    // replica 2 (a causal chain 1 -> 2), whose client then issues the effect at once: 2's
    // clock reads 40 ms less than the cause's uid, yet the effect must be ordered after it.
    Harness<StampedOrder> h = RealTimeClusters.realTime(3, RealTimeClock.Test.COMBINED, DELTA);
    long[] ahead = {0, 40, 0};
    for (long now = 10; now <= 40; now += 10) {
      for (int id : h.members) {
        h.step(id, new Input.Tick(now, 1_700_000_000_000L + now + ahead[id]));
      }
      h.deliverAll();
    }
    Request cause = Harness.request("a", "put x 1");
    h.propose(1, cause);
    long causeUid = uidOf(h, cause);
    Harness.Flight toTwo = h.inFlight.stream().filter(f -> f.to() == 2).findFirst()
        .orElseThrow();
    h.inFlight.remove(toTwo);
    h.deliver(toTwo);
    Request effect = Harness.request("b", "put y 2");
    h.propose(2, effect);
    assertThat(uidOf(h, effect)).as("uid(effect) > uid(cause)").isGreaterThan(causeUid);
    h.deliverAll();
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(cause, effect);
    }
  }

  private static long uidOf(Harness<StampedOrder> h, Request r) {
    return h.inFlight.stream().filter(f -> f.message() instanceof Broadcast)
        .map(f -> (Broadcast) f.message()).filter(b -> r.equals(b.request())).findFirst().orElseThrow().uidTime();
  }

  @Test
  void registeredAsRealTimeAndCheckRefusesWhatCannotWork() {
    var p = Protocols.named("real-time");
    assertThat(p).isInstanceOf(RealTimeClockProtocol.class);
    assertThat(p.check(setup(Map.of()))).isEmpty();
    assertThat(p.check(setup(Map.of("skew-ms", "5", "min-delay-ms", "5"))))
        .as("δ need not be below the minimum delay: stamps stay above every uid received")
        .isEmpty();
    assertThat(p.check(setup(Map.of("delta-ms", "100"))))
        .singleElement().asString().contains("must exceed max-delay-ms + skew-ms (102)");
    assertThat(p.check(setup(Map.of("test", "III"))))
        .singleElement().asString().contains("I, II or combined");
    assertThat(p.check(new ProtocolSetup(0, List.of(0, 1, 2), FailureModel.BYZANTINE, 1,
        Map.of()))).singleElement().asString().contains("has no signing key"); // the rest:
    // RealTimeByzantineProtocolTest
    assertThat(p.create(setup(Map.of("test", "ii")), io.lockstep.order.Recovered.EMPTY, 1))
        .isNotNull();
  }

  private static ProtocolSetup setup(Map<String, String> settings) {
    return new ProtocolSetup(0, List.of(0, 1), FailureModel.FAIL_STOP, 1, settings);
  }

  @Test
  void noRequestIsStampedBeforeTheFirstClockReading() {
    // A uid stamped from no reading would look ancient to test I and jump the queue.
    Harness<StampedOrder> h = RealTimeClusters.realTime(2, RealTimeClock.Test.I, DELTA);
    h.propose(0, h.request("early"));
    assertThat(h.inFlight).isEmpty();
    assertThat(h.redirects.get(0)).singleElement().satisfies(r -> {
      assertThat(r.busy()).isTrue();
      assertThat(r.reason()).contains("no clock reading yet");
    });
  }

  @Test
  void readsAreGrantedThroughTheOrder() {
    Harness<StampedOrder> h = started(RealTimeClock.Test.COMBINED);
    h.step(1, new Input.Read(5));
    h.deliverAll();
    assertThat(h.grants.get(1)).singleElement()
        .satisfies(g -> assertThat(g.readId()).isEqualTo(5));
  }

  @Test
  void theRuntimeIsToldBothTheDelayBoundAndTheSkewBoundDelta() {
    var p = Protocols.named("real-time");
    var timing = p.timingAssumptions(new ProtocolSetup(0, List.of(0, 1), FailureModel.FAIL_STOP,
        1, Map.of("skew-ms", "7", "min-delay-ms", "8", "max-delay-ms", "90"))).orElseThrow();
    assertThat(timing.maxDelayMillis()).isEqualTo(90);
    assertThat(timing.maxSkewMillis()).hasValue(7);
    assertThat(p.everyReplicaOrders()).isTrue();
  }
}
