package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Scripted runs of the Byzantine real-time order (paper §3.2.2 with §3.1's signed agreement):
 * three replicas (t = 1) in 20 ms rounds, every message delivered within its round, clients
 * handing each request to every replica (the Byzantine clients' broadcast), replica 2 lying
 * where a test says so.
 */
class ByzantineRealTimeOrderTest {
  static final List<Integer> MEMBERS = List.of(0, 1, 2);
  static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(MEMBERS, 7));
  static final long ROUND = 20;

  static Harness<ByzantineRealTimeOrder> cluster(UnaryOperator<ByzantineClockConfig> tune) {
    Harness<ByzantineRealTimeOrder> h = new Harness<>(3, (id, members) ->
        new ByzantineRealTimeOrder(tune.apply(ByzantineClockConfig.defaults(id, members, 1)
            .withRoundMillis(ROUND)), SIGNERS.get(id), Recovered.EMPTY));
    h.tickAll(ROUND, 5); // the first round begins everywhere
    return h;
  }

  static void lie(Harness<ByzantineRealTimeOrder> h, ClockLie lie) {
    h.lie(2, lie.interceptor(SIGNERS.get(2), ROUND));
  }

  /** The client hands {@code r} to every replica, as a Byzantine client does. */
  static void broadcast(Harness<ByzantineRealTimeOrder> h, Request r) {
    for (int id : h.members) {
      h.propose(id, r);
    }
  }

  static void assertCorrectReplicasAgree(Harness<ByzantineRealTimeOrder> h) {
    assertThat(h.applied.get(1)).isEqualTo(h.applied.get(0));
  }

  @Test
  void everyCorrectReplicaProcessesTheSameRequestsInTheSameOrderOnce() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    Request a = h.request("a");
    Request b = h.request("b");
    broadcast(h, a);
    h.tickAll(7, 1); // b reaches the replicas a few milliseconds later, maybe in another round
    broadcast(h, b);
    h.tickAll(200, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a, b);
    assertThat(h.applied.get(2)).isEqualTo(h.applied.get(0));
    assertCorrectReplicasAgree(h);
  }

  @Test
  void testIOnTheRoundsARequestIsStableExactlyWhenItsRoundIsDecidedEverywhere() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    Request a = h.request("a");
    broadcast(h, a);
    // Transmitted as the next round begins (round s), decided as round s+t+1 = s+2 begins: so
    // nothing before two full rounds after the next boundary, and then at once.
    long toBoundary = ROUND - Math.floorMod(1_700_000_000_000L + h.now, ROUND);
    h.tickAll(toBoundary + 2 * ROUND - 5, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    h.tickAll(5, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.requestsApplied(1)).containsExactly(a);
    Ordered o = h.applied.get(0).get(0);
    long deltaOfTheRounds = ByzantineClockConfig.delta(1, ROUND, 2);
    assertThat(1_700_000_000_000L + h.now - o.time()).isLessThanOrEqualTo(deltaOfTheRounds);
  }

  @Test
  void aRequestOnlyOneReplicaHeardIsNotTakenAsTheClientsOwnAndIsDroppedAfterTheWait() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    Request a = h.request("a");
    h.propose(0, a); // no other replica has it from the client: t+1 = 2 copies never come
    h.tickAll(ROUND * 12, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    assertThat(h.requestsApplied(1)).isEmpty();
    for (int id : List.of(0, 1, 2)) {
      assertThat(h.nodes.get(id).dropsByReason())
          .containsEntry(ByzantineRealTimeOrder.NOT_CLIENTS, 1L);
    }
  }

  @Test
  void aForgedRequestOfALiarIsNeverExecutedOnCorrectReplicas() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    lie(h, ClockLie.FORGED_REQUESTS);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(ROUND * 12, 5);
    // The liar put "c#2" next to a in its batch; the client never sent it.
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertCorrectReplicasAgree(h);
    assertThat(h.nodes.get(0).dropsByReason())
        .containsEntry(ByzantineRealTimeOrder.NOT_CLIENTS, 1L);
  }

  @Test
  void withAClientsCopyTheForgedRequestWouldNeedASecondReplica() {
    // The same forgery carried by two replicas (one correct: it did get the request from the
    // client) is the client's own, and is taken: the rule is t+1 copies, not "the liar's".
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    lie(h, ClockLie.FORGED_REQUESTS);
    Request a = h.request("a");
    Request next = h.request("a"); // c#2, the bytes the liar forges
    broadcast(h, a);
    h.tickAll(5, 5);
    h.propose(0, next);
    h.tickAll(ROUND * 12, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a, next);
    assertCorrectReplicasAgree(h);
  }

  @Test
  void aUidOutsideItsRoundIsDroppedAndCountedAndCorrectRequestsGoOn() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    lie(h, ClockLie.EXTREME_UIDS);
    for (int i = 0; i < 6; i++) {
      broadcast(h, h.request("r" + i));
      h.tickAll(ROUND, 5);
    }
    h.tickAll(ROUND * 4, 5);
    assertThat(h.requestsApplied(0)).hasSize(6);
    assertCorrectReplicasAgree(h);
    assertThat(h.nodes.get(0).dropsByReason().get(ByzantineRealTimeOrder.BAD_UID))
        .isGreaterThanOrEqualTo(2L);
    assertThat(h.nodes.get(0).drainRejected()).anyMatch(r -> r.contains("outside its round"));
  }

  @Test
  void anEquivocatingTransmittersBatchIsDecidedAsNothing() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    lie(h, ClockLie.EQUIVOCATE);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(ROUND * 6, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertCorrectReplicasAgree(h);
  }

  @Test
  void badSignaturesAreDroppedWithTheReasonAndASilentLiarDelaysNothing() {
    for (ClockLie lie : List.of(ClockLie.BAD_SIGNATURES, ClockLie.SILENT)) {
      Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
      lie(h, lie);
      Request a = h.request("a");
      broadcast(h, a);
      h.tickAll(ROUND * 4, 5);
      assertThat(h.requestsApplied(0)).as(lie.name()).containsExactly(a);
      assertCorrectReplicasAgree(h);
      if (lie == ClockLie.BAD_SIGNATURES) {
        assertThat(h.nodes.get(0).dropsByReason()).containsKey(ByzantineRealTimeOrder.CHAIN);
      }
    }
  }

  @Test
  void aReadIsGrantedAfterEveryRequestStampedBeforeIt() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(ROUND, 5);
    h.step(1, new Input.Read(42));
    h.tickAll(ROUND * 6, 5);
    assertThat(h.grants.get(1)).hasSize(1);
    assertThat(h.grants.get(1).get(0).readId()).isEqualTo(42);
    assertThat(h.grants.get(1).get(0).position()).isGreaterThan(h.applied.get(1).get(0)
        .position());
    assertThat(h.grants.get(0)).isEmpty();
  }

  @Test
  void aReplicaThatRanBeforeRefusesEveryRequest() {
    Harness<ByzantineRealTimeOrder> h = new Harness<>(3, (id, members) ->
        new ByzantineRealTimeOrder(ByzantineClockConfig.defaults(id, members, 1),
            SIGNERS.get(id), new Recovered(new StorageWrite.HardState(
                ByzantineRealTimeOrder.STARTED), null, List.of())));
    h.tickAll(100, 5);
    h.propose(0, h.request("a"));
    assertThat(h.redirects.get(0)).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("cannot rejoin"));
  }

  @Test
  void aLoopStalledForRoundsWhileStartingIsNoBrokenSynchronyAndOrdersAlikeAfter() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    h.tickAllStalling(2, 100, 5); // replica 2 misses about five rounds before any request
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(200, 5);
    for (int id : MEMBERS) {
      assertThat(h.nodes.get(id).drainBrokenAssumptions()).as("replica %d", id).isEmpty();
      assertThat(h.requestsApplied(id)).as("replica %d", id).containsExactly(a);
    }
  }

  @Test
  void aLoopStalledForRoundsOnceRequestsFlowIsReportedAndTheOthersStillAgree() {
    Harness<ByzantineRealTimeOrder> h = cluster(c -> c);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(20, 5); // a is disseminated: replica 2 owes relays from now on
    h.tickAllStalling(2, 60, 5);
    assertThat(h.nodes.get(2).drainBrokenAssumptions()).isNotEmpty().first().asString()
        .contains("replica 2: round", "follows round", "synchrony signed agreement needs broke");
    Request b = h.request("b");
    broadcast(h, b);
    h.tickAll(300, 5);
    assertThat(h.requestsApplied(0)).containsExactlyInAnyOrder(a, b);
    assertCorrectReplicasAgree(h);
    assertThat(h.nodes.get(0).drainBrokenAssumptions()).isEmpty();
    assertThat(h.nodes.get(1).drainBrokenAssumptions()).isEmpty();
  }
}
