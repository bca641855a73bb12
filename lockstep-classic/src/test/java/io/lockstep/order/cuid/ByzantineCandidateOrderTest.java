package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Scripted runs of the Byzantine replica-uid order (paper §3.2.3, Byzantine variant): three
 * replicas (t = 1) in 20 ms rounds, every message delivered within its round, replica 2 lying
 * where a test says so.
 */
class ByzantineCandidateOrderTest {
  static final List<Integer> MEMBERS = List.of(0, 1, 2);
  static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(MEMBERS, 5));

  static Harness<ByzantineCandidateOrder> cluster(UnaryOperator<ByzantineConfig> tune) {
    Harness<ByzantineCandidateOrder> h = new Harness<>(3, (id, members) ->
        new ByzantineCandidateOrder(tune.apply(ByzantineConfig.defaults(id, members, 1)),
            SIGNERS.get(id), Recovered.EMPTY));
    h.tickAll(20, 5); // the first round begins everywhere
    return h;
  }

  /** The client hands {@code r} to every replica, as a Byzantine client does. */
  static void broadcast(Harness<ByzantineCandidateOrder> h, Request r) {
    for (int id : h.members) {
      h.propose(id, r);
    }
  }

  static void lie(Harness<ByzantineCandidateOrder> h, UidLie lie) {
    h.lie(2, lie.interceptor(SIGNERS.get(2), MEMBERS, 1L << 20));
  }

  @Test
  void everyCorrectReplicaProcessesTheSameRequestsInTheSameOrder() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    Request a = h.request("a");
    Request b = h.request("b");
    Request c = h.request("c");
    broadcast(h, a);
    broadcast(h, b);
    broadcast(h, c);
    h.tickAll(200, 5);
    assertThat(h.requestsApplied(0)).containsExactlyInAnyOrder(a, b, c);
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
    assertThat(h.requestsApplied(2)).isEqualTo(h.requestsApplied(0));
    assertThat(h.nodes.get(0).excludedReplicas()).isEmpty();
  }

  @Test
  void aRequestWaitsForTheCandidatesOfEveryReplicaInNf() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    broadcast(h, h.request("a"));
    // Round 1 disseminates it (decided t+1 = 2 rounds on), the next carries the candidates,
    // decided two rounds later: nothing is processed before four rounds have passed.
    h.tickAll(60, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    h.tickAll(40, 5);
    assertThat(h.requestsApplied(0)).hasSize(1);
  }

  @Test
  void aSilentReplicaIsExcludedAfterTPlusOneTimeoutReports() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.SILENT);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(300, 5);
    assertThat(h.nodes.get(0).excludedReplicas()).containsExactly(2);
    assertThat(h.nodes.get(1).excludedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.requestsApplied(1)).containsExactly(a);
  }

  @Test
  void tFalseTimeoutReportsDoNotExcludeACorrectReplica() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.FALSE_TIMEOUTS);
    Request a = h.request("a");
    Request b = h.request("b");
    broadcast(h, a);
    broadcast(h, b);
    h.tickAll(300, 5);
    // Replica 2 reported 0 and 1 and proposed no candidates: only it is excluded.
    assertThat(h.nodes.get(0).excludedReplicas()).containsExactly(2);
    assertThat(h.nodes.get(1).excludedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactlyInAnyOrder(a, b);
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
  }

  @Test
  void withExclusionAfterOneReportOneLiarExcludesTheCorrectReplicasAndTheOrderStalls() {
    Harness<ByzantineCandidateOrder> h = cluster(ByzantineConfig::excludingAfterOneReport);
    lie(h, UidLie.FALSE_TIMEOUTS);
    broadcast(h, h.request("warm"));
    h.tickAll(300, 5);
    assertThat(h.nodes.get(0).excludedReplicas()).contains(0, 1);
    int before = h.requestsApplied(0).size();
    broadcast(h, h.request("a"));
    h.tickAll(300, 5);
    assertThat(h.requestsApplied(0)).hasSize(before);
  }

  @Test
  void anExtremeCandidateIsDroppedAndItsReplicaExcludedWhileCorrectRequestsGoOn() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.EXTREME_CANDIDATES);
    Request a = h.request("a");
    Request b = h.request("b");
    broadcast(h, a);
    broadcast(h, b);
    h.tickAll(300, 5);
    assertThat(h.nodes.get(0).drainRejected()).anySatisfy(r -> assertThat(r)
        .contains("replica 2: candidate " + Long.MAX_VALUE).contains("counted as missing"));
    assertThat(h.nodes.get(0).excludedReplicas()).containsExactly(2);
    assertThat(h.requestsApplied(0)).containsExactlyInAnyOrder(a, b);
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
  }

  @Test
  void aRepeatedCandidateIsDroppedSoNoTwoRequestsShareAUid() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    h.lie(2, (from, out, random) -> List.of(RepeatingLiar.repeat(SIGNERS.get(2), out)));
    Request a = h.request("a");
    Request b = h.request("b");
    broadcast(h, a);
    broadcast(h, b);
    h.tickAll(300, 5);
    assertThat(h.nodes.get(0).drainRejected()).anySatisfy(r -> assertThat(r)
        .contains("does not exceed its previous"));
    // a's uid is the liar's (c_b, 2); b's, without it, (c_b, 1): b goes first, everywhere.
    assertThat(h.requestsApplied(0)).containsExactly(b, a);
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
  }

  @Test
  void anEquivocatingTransmittersBatchIsDecidedAsNothingEverywhere() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.EQUIVOCATE);
    Request viaLiar = h.request("via-liar");
    Request viaZero = h.request("via-zero");
    h.propose(2, viaLiar);
    broadcast(h, viaZero);
    h.tickAll(300, 5);
    assertThat(h.requestsApplied(0)).containsExactly(viaZero);
    assertThat(h.requestsApplied(1)).containsExactly(viaZero);
    assertThat(h.nodes.get(0).excludedReplicas()).containsExactly(2);
  }

  @Test
  void badSignaturesAreDroppedWithTheReason() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.BAD_SIGNATURES);
    Request a = h.request("a");
    h.propose(2, h.request("lost"));
    broadcast(h, a);
    h.tickAll(300, 5);
    assertThat(h.nodes.get(1).drainRejected()).anySatisfy(r -> assertThat(r)
        .contains("signature of 2 does not verify"));
    assertThat(h.nodes.get(1).dropsByReason()).containsKey(
        "signed chain refused (bad signature, wrong round or instance)");
    assertThat(h.requestsApplied(1)).containsExactly(a);
    assertThat(h.requestsApplied(0)).containsExactly(a);
  }

  @Test
  void aForgedRequestOfALiarIsNeverExecutedOnCorrectReplicas() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    lie(h, UidLie.FORGED_REQUESTS);
    Request a = h.request("a");
    broadcast(h, a);
    h.tickAll(400, 5);
    // The liar put "c#2" next to a in its batch; the client never sent it.
    assertThat(h.requestsApplied(0)).containsExactly(a);
    assertThat(h.requestsApplied(1)).containsExactly(a);
    assertThat(h.nodes.get(0).dropsByReason())
        .containsEntry(ByzantineCandidateOrder.NOT_CLIENTS, 1L);
  }

  @Test
  void aRequestOnlyOneReplicaHeardIsNotTakenAsTheClientsOwn() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    h.propose(0, h.request("a")); // a relay's word alone: t+1 = 2 copies never come
    h.tickAll(400, 5);
    assertThat(h.requestsApplied(0)).isEmpty();
    assertThat(h.requestsApplied(1)).isEmpty();
    assertThat(h.nodes.get(1).dropsByReason())
        .containsEntry(ByzantineCandidateOrder.NOT_CLIENTS, 1L);
  }

  @Test
  void aReadIsGrantedAfterTheRequestsOrderedBeforeIt() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
    broadcast(h, h.request("a"));
    h.tickAll(20, 5); // the replicas' copies of a go out in this round's batches
    h.step(0, new Input.Read(7));
    h.tickAll(200, 5);
    assertThat(h.grants.get(0)).singleElement().satisfies(g -> {
      assertThat(g.readId()).isEqualTo(7);
      assertThat(g.position()).isEqualTo(2);
    });
  }

  @Test
  void aReplicaThatRanBeforeRefusesRequests() {
    ByzantineCandidateOrder order = new ByzantineCandidateOrder(
        ByzantineConfig.defaults(0, MEMBERS, 1), SIGNERS.get(0),
        new Recovered(new StorageWrite.HardState(ByzantineCandidateOrder.STARTED), null,
            List.of()));
    order.step(new Input.Tick(0, 1_700_000_000_000L));
    order.step(new Input.Propose(Harness.request("c", "x")));
    assertThat(order.ready().redirects()).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("cannot rejoin"));
  }

  @Test
  void fewerThanTwoTPlusOneReplicasAreRefused() {
    assertThatThrownBy(() -> ByzantineConfig.defaults(0, List.of(0, 1), 1))
        .hasMessageContaining("at least 2t+1 = 3 members");
  }

  /** Replica 2 giving every candidate of a batch the same counter, the largest (a repeat). */
  static final class RepeatingLiar {
    static Ready.Outbound repeat(Signer signer, Ready.Outbound out) {
      if (!(out.message() instanceof RoundMessage m) || m.chain().links().size() != 1
          || m.chain().transmitter() != signer.self()) {
        return out;
      }
      Batch b = Batch.decode(m.chain().value());
      long top = b.candidates().stream().mapToLong(Batch.Candidate::counter).max().orElse(0);
      List<Batch.Candidate> same = b.candidates().stream()
          .map(c -> new Batch.Candidate(c.origin(), c.seq(), top)).toList();
      byte[] value = new Batch(b.requests(), same, b.timeouts()).encode();
      byte[] signed = DolevStrong.signedBytes(m.chain().instance(), signer.self(), value);
      return new Ready.Outbound(out.to(), new RoundMessage(new DolevStrong.Chain(
          m.chain().instance(), signer.self(), value,
          List.of(new DolevStrong.Link(signer.self(), signer.sign(signed))))));
    }
  }

  @Test
  void aLoopStalledForRoundsWhileStartingIsNoBrokenSynchronyAndOrdersAlikeAfter() {
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
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
    Harness<ByzantineCandidateOrder> h = cluster(c -> c);
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
    assertThat(h.requestsApplied(1)).isEqualTo(h.requestsApplied(0));
    assertThat(h.nodes.get(0).drainBrokenAssumptions()).isEmpty();
    assertThat(h.nodes.get(1).drainBrokenAssumptions()).isEmpty();
  }
}
