package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.agreement.TransmitterCheck;
import io.lockstep.order.testing.ClientPrecheck;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.SignedClients;
import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/**
 * The paper's second transmitter mode (§3.1) on the Byzantine replica-uid order: a client signs
 * its request and hands it to ONE replica; a liar (replica 2) that loses or alters it gets
 * nothing ordered, and the client's resend through the next replica of its rotation is ordered
 * once. Three replicas, t = 1, as in {@link ByzantineCandidateOrderTest}.
 */
class ByzantineCandidateOrderSignedTest {
  static final TransmitterCheck ROTATION = new TransmitterCheck(ByzantineCandidateOrderTest
      .MEMBERS, new byte[0]);

  static Harness<ByzantineCandidateOrder> cluster() {
    Harness<ByzantineCandidateOrder> h = new Harness<>(3, (id, members) ->
        new ByzantineCandidateOrder(ByzantineConfig.defaults(id, members, 1),
            ByzantineCandidateOrderTest.SIGNERS.get(id), SignedClients.KEYS, Recovered.EMPTY));
    h.tickAll(20, 5);
    return h;
  }

  @Test
  void aSignedRequestHandedToOneCorrectReplicaIsOrderedEverywhere() {
    Harness<ByzantineCandidateOrder> h = cluster();
    Request a = h.request("a");
    Request b = h.request("b");
    SignedClients.hand(h, 1, a);
    SignedClients.hand(h, 0, b);
    h.tickAll(400, 5);
    for (int id : h.members) {
      assertThat(h.requestsApplied(id)).as("replica " + id).containsExactlyInAnyOrder(a, b);
    }
    assertThat(h.applied.get(1)).isEqualTo(h.applied.get(0));
    assertThat(h.nodes.get(0).dropsByReason()).isEmpty();
  }

  @Test
  void aLiarThatLosesTheRequestOrdersNothingAndTheResendThroughTheNextReplicaRunsOnce() {
    Harness<ByzantineCandidateOrder> h = cluster();
    ByzantineCandidateOrderTest.lie(h, UidLie.DROPS_HANDED);
    Request a = h.request("a");
    SignedClients.hand(h, 2, a);
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).as("lost by the liar").isEmpty();
    SignedClients.hand(h, ROTATION.next(2), a);
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.applied.get(1)).isEqualTo(h.applied.get(0));
  }

  @Test
  void aLiarThatAltersTheRequestUnderItsSignatureGetsNothingTaken() {
    Harness<ByzantineCandidateOrder> h = cluster();
    ByzantineCandidateOrderTest.lie(h, UidLie.ALTERS_HANDED);
    Request a = h.request("a");
    SignedClients.hand(h, 2, a);
    h.tickAll(400, 5);
    for (int id : new int[] {0, 1}) {
      assertThat(h.requestsApplied(id)).as("replica " + id).isEmpty();
      assertThat(h.nodes.get(id).dropsByReason()).as("the altered command and the replay to"
          + " the next sequence number").containsEntry(ByzantineCandidateOrder.CLIENT_SIGNATURE,
          2L);
    }
    SignedClients.hand(h, ROTATION.next(2), a);
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.applied.get(1)).isEqualTo(h.applied.get(0));
  }

  @Test
  void aResendThroughASecondCorrectReplicaIsOrderedOnce() {
    Harness<ByzantineCandidateOrder> h = cluster();
    Request a = h.request("a");
    SignedClients.hand(h, 0, a);
    SignedClients.hand(h, 1, a);
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.requestsApplied(1)).containsExactly(a);
  }

  @Test
  void aMalformedSignatureIsRefusedWhereTheClientHandsItOver() {
    Harness<ByzantineCandidateOrder> h = cluster();
    Request a = h.request("a");
    h.step(0, new Input.Propose(a, new byte[63]));
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    assertThat(h.redirects.get(0)).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("malformed client signature (63"));
    assertThat(h.nodes.get(0).dropsByReason())
        .containsEntry(ByzantineCandidateOrder.CLIENT_SIGNATURE, 1L);
  }

  @Test
  void withoutTheClientsKeyASignedRequestHandedToOneReplicaIsNotTaken() {
    Harness<ByzantineCandidateOrder> h = ByzantineCandidateOrderTest.cluster(c -> c);
    SignedClients.hand(h, 0, h.request("a"));
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    assertThat(h.requestsApplied(1)).isEmpty();
    assertThat(h.nodes.get(1).dropsByReason())
        .containsEntry(ByzantineCandidateOrder.CLIENT_SIGNATURE, 1L);
  }

  /**
   * With the runtime's pre-check (each replica pre-verifies the claims of what its clients hand
   * it and of every arriving round message, through this protocol's codec), the order takes and
   * refuses what it does without, never verifies itself, and each replica verifies each distinct
   * signed request once ({@link ClientPrecheck#checkAgainstAnAlteringLiar}).
   */
  @Test
  void withThePrecheckEachSignatureIsVerifiedOnceAndNeverByTheOrder() {
    ClientPrecheck pre = new ClientPrecheck(SignedClients.KEYS, CuidCodec.INSTANCE);
    Harness<ByzantineCandidateOrder> h = new Harness<>(3, (id, members) ->
        new ByzantineCandidateOrder(ByzantineConfig.defaults(id, members, 1),
            ByzantineCandidateOrderTest.SIGNERS.get(id), pre.keys(id), Recovered.EMPTY));
    pre.watch(h);
    h.tickAll(20, 5);
    ByzantineCandidateOrderTest.lie(h, UidLie.ALTERS_HANDED);
    pre.checkAgainstAnAlteringLiar(h, ROTATION.next(2), ByzantineCandidateOrder.CLIENT_SIGNATURE);
  }
}
