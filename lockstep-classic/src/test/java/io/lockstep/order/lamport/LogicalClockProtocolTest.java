package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedMessage.JoinRequest;
import io.lockstep.order.stamped.StampedMessage.JoinState;
import io.lockstep.order.stamped.StampedMessage.Kind;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The logical-clock protocol as the runtime sees it: registration, check, restart, codec. */
class LogicalClockProtocolTest {
  private static ProtocolSetup setup(int n, int t, FailureModel model, Map<String, String> s) {
    List<Integer> members = java.util.stream.IntStream.range(0, n).boxed().toList();
    return new ProtocolSetup(0, members, model, t, s);
  }

  @Test
  void registeredAsLogicalClock() {
    assertThat(Protocols.named("logical-clock")).isInstanceOf(LogicalClockProtocol.class);
  }

  @Test
  void failStopWithTPlusOneReplicasIsAccepted() {
    assertThat(new LogicalClockProtocol().check(setup(2, 1, FailureModel.FAIL_STOP, Map.of())))
        .isEmpty();
  }

  @Test
  void checkRefusesWhatCannotWorkWithTheReason() {
    LogicalClockProtocol p = new LogicalClockProtocol();
    assertThat(p.check(setup(3, 1, FailureModel.BYZANTINE, Map.of())))
        .singleElement().asString().contains("fail-stop faults only");
    assertThat(p.check(setup(2, 2, FailureModel.FAIL_STOP, Map.of())))
        .singleElement().asString().contains("needs t+1 = 3 replicas");
    assertThat(p.check(setup(3, 1, FailureModel.FAIL_STOP,
        Map.of("failure-timeout-ms", "100", "null-interval-ms", "20", "max-delay-ms", "100"))))
        .singleElement().asString().contains("must exceed null-interval-ms + max-delay-ms (120)");
    assertThat(p.check(setup(3, 1, FailureModel.FAIL_STOP, Map.of("election-timeout-ms", "5"))))
        .singleElement().asString().contains("not a setting of logical-clock");
    assertThat(p.check(setup(3, 1, FailureModel.FAIL_STOP, Map.of("resend-ms", "soon"))))
        .singleElement().asString().contains("must be a whole number");
    assertThatThrownBy(() -> p.create(setup(3, 1, FailureModel.BYZANTINE, Map.of()),
        Recovered.EMPTY, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReplicaThatRanBeforeStartsRejoiningAsksALiveReplicaAndRefusesRequestsAsBusy() {
    LogicalClockProtocol p = new LogicalClockProtocol();
    ProtocolSetup setup = setup(2, 1, FailureModel.FAIL_STOP, Map.of());
    Coordination fresh = p.create(setup, Recovered.EMPTY, 1);
    StorageWrite marker = fresh.ready().writes().get(0);
    Recovered ranBefore = new Recovered((StorageWrite.HardState) marker, null, List.of());
    Coordination restarted = p.create(setup, ranBefore, 2);
    assertThat(restarted.repairing()).isTrue();
    Request r = Harness.request("c", "put x 1");
    restarted.step(new Input.Tick(1, 1));
    restarted.step(new Input.Propose(r));
    Ready ready = restarted.ready();
    assertThat(ready.writes()).as("the start marker is there already").isEmpty();
    assertThat(ready.messages()).singleElement().satisfies(m -> {
      assertThat(m.to()).isEqualTo(1);
      assertThat(m.message()).isEqualTo(new JoinRequest(0));
    });
    assertThat(ready.redirects()).singleElement().satisfies(redirect -> {
      assertThat(redirect.request()).isEqualTo(r);
      assertThat(redirect.busy()).isTrue();
      assertThat(redirect.reason()).contains("rejoining", "§7.2");
    });
  }

  @Test
  void anEmptyReplicaOfAClusterMarkedStartedRejoinsAndOfANewClusterStartsAtOnce() {
    LogicalClockProtocol p = new LogicalClockProtocol();
    Coordination added = p.create(setup(2, 1, FailureModel.FAIL_STOP,
        Map.of("cluster-started", "true")), Recovered.EMPTY, 1);
    assertThat(added.repairing()).as("no order of its own: it asks for the state").isTrue();
    added.step(new Input.Tick(1, 1));
    Ready ready = added.ready();
    assertThat(ready.writes()).as("the marker: a restart without the setting rejoins too")
        .singleElement().isInstanceOf(StorageWrite.HardState.class);
    assertThat(ready.messages()).singleElement()
        .satisfies(m -> assertThat(m.message()).isEqualTo(new JoinRequest(0)));

    Coordination first = p.create(setup(2, 1, FailureModel.FAIL_STOP, Map.of()),
        Recovered.EMPTY, 2);
    first.step(new Input.Tick(1, 1));
    assertThat(first.repairing()).as("a first start waits for no donor").isFalse();
    assertThat(first.ready().messages()).noneMatch(m -> m.message() instanceof JoinRequest);
    assertThat(p.check(setup(2, 1, FailureModel.FAIL_STOP, Map.of("cluster-started", "yes"))))
        .singleElement().asString().contains("cluster-started must be true or false");
  }

  @Test
  void aReplicaEveryOtherReplicaAsksForStateSaysTheOrderIsGone() {
    ProtocolSetup setup = setup(2, 1, FailureModel.FAIL_STOP, Map.of());
    StampedOrder restarted = new StampedOrder(LogicalClockProtocol.config(setup),
        new LogicalClock(), new Recovered(new StorageWrite.HardState(new byte[] {1}), null,
            List.of()));
    restarted.step(new Input.Tick(1, 1));
    assertThat(restarted.repairReason()).contains("waiting for a live replica's state");
    restarted.step(new Input.Receive(1, new JoinRequest(1)));
    assertThat(restarted.repairReason()).contains("every replica restarted",
        "start a new cluster");
  }

  @Test
  void everyReplicaOrdersAndTheDelayBoundIsWatchedButNoSkew() {
    LogicalClockProtocol p = new LogicalClockProtocol();
    assertThat(p.everyReplicaOrders()).isTrue();
    var timing = p.timingAssumptions(setup(2, 1, FailureModel.FAIL_STOP,
        Map.of("max-delay-ms", "250", "failure-timeout-ms", "400"))).orElseThrow();
    assertThat(timing.maxDelayMillis()).isEqualTo(250);
    assertThat(timing.maxSkewMillis()).as("logical clocks need no synchronized clocks").isEmpty();
  }

  @Test
  void broadcastFromAReplicaDeclaredFailedIsReportedNotProcessed() {
    Harness<StampedOrder> h = LogicalClusters.logical(3);
    h.tickAll(30, 10); // everyone speaks once: a replica never heard from is never suspected
    h.crashed.add(2); // silent, as if failed
    h.tickAll(400, 10);
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(2);
    // It was not dead after all: a late request arrives (the delay bound broke). Its number in
    // 2's FIFO order follows the null requests it sent before: the first unseen one delivers.
    h.crashed.remove(2);
    for (long seq = 1; seq <= 10 && h.nodes.get(0).assumptionBreaches().isEmpty(); seq++) {
      h.step(0, new Input.Receive(2, new Broadcast(2, seq, 1, 0, new long[3], 0, Kind.REQUEST,
          Harness.request("c", "late"))));
    }
    StampedOrder zero = h.nodes.get(0);
    assertThat(zero.assumptionBreaches()).singleElement().asString()
        .contains("after replica 2 was declared failed");
    assertThat(zero.drainBrokenAssumptions()).as("handed to the runtime once").singleElement()
        .asString().startsWith("replica 0: ").contains("after replica 2 was declared failed");
    assertThat(zero.drainBrokenAssumptions()).isEmpty();
    assertThat(h.applied.get(0)).isEmpty();
  }

  @Test
  void codecRoundTripsAndRefusesMalformedBytes() {
    var codec = new LogicalClockProtocol().codec();
    Broadcast b = new Broadcast(1, 7, 42, 1_700_000_000_000L, new long[] {3, 7, 0}, 0b100,
        Kind.REQUEST, Harness.request("c", "put x 1"));
    assertThat(codec.decode(codec.encode(b))).isEqualTo(b);
    Broadcast barrier = new Broadcast(0, 1, 1, 0, new long[] {1, 0}, 0, Kind.BARRIER, null);
    assertThat(codec.decode(codec.encode(barrier))).isEqualTo(barrier);
    byte[] bytes = codec.encode(b);
    assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(RuntimeException.class);
    byte[] badKind = codec.encode(barrier);
    badKind[badKind.length - 1] = 9;
    assertThatThrownBy(() -> codec.decode(badKind)).hasMessageContaining("unknown kind 9");
    byte[] zeroSeq = codec.encode(barrier);
    zeroSeq[13] = 0; // last byte of seq
    assertThatThrownBy(() -> codec.decode(zeroSeq)).hasMessageContaining("seq");
  }

  @Test
  void codecRoundTripsTheIntegrationMessages() {
    var codec = new LogicalClockProtocol().codec();
    Broadcast join = new Broadcast(0, 3, 9, 5, new long[] {3, 2, 1}, 0b100, Kind.JOIN, null, 2);
    Broadcast b = new Broadcast(1, 7, 42, 1_700_000_000_000L, new long[] {3, 7, 0}, 0b100,
        Kind.REQUEST, Harness.request("c", "put x 1"));
    JoinState state = new JoinState(2, 4, new byte[] {1, 2, 3}, 6, 1_700_000_000_000L,
        join.uid(), 43, new long[] {3, 7, 1}, 0, List.of(join, b), List.of(b));
    for (Object m : List.of(join, new JoinRequest(2), state)) {
      assertThat(codec.decode(codec.encode((io.lockstep.order.ProtocolMessage) m))).isEqualTo(m);
    }
    byte[] bytes = codec.encode(state);
    assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> new Broadcast(0, 1, 1, 0, new long[2], 0, Kind.JOIN, null, 0))
        .as("a replica does not join through itself").isInstanceOf(IllegalArgumentException.class);
  }
}
