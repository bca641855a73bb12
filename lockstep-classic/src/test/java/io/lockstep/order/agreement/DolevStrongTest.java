package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Scripted rounds of Dolev–Strong agreement (paper §3.1, Byzantine transmitter) among four
 * replicas with t = 2 (authenticated agreement needs no 3t+1). Rounds are run by hand: each
 * round's chains are delivered, then every instance ends the round.
 */
class DolevStrongTest {
  private static final List<Integer> MEMBERS = List.of(0, 1, 2, 3);
  private static final int T = 2;
  private static final byte[] DEFAULT = bytes("<default>");
  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(MEMBERS, 42));

  private final Map<Integer, DolevStrong> nodes = new HashMap<>();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void build(int transmitter) {
    for (int m : MEMBERS) {
      nodes.put(m, new DolevStrong(SIGNERS.get(m), MEMBERS, T, transmitter, 7, DEFAULT));
    }
  }

  /** Runs every round, delivering only the chains {@code keep} lets through. */
  private void runRounds(List<DolevStrong.Send> first, Predicate<DolevStrong.Send> keep) {
    List<DolevStrong.Send> inFlight = new ArrayList<>(first);
    for (int round = 1; round <= T + 1; round++) {
      for (DolevStrong.Send send : inFlight) {
        if (keep.test(send)) {
          nodes.get(send.to()).receive(-1, send.chain());
        }
      }
      inFlight.clear();
      for (int m : MEMBERS) {
        inFlight.addAll(nodes.get(m).endRound());
      }
    }
  }

  /** The sender of a chain is its last signer. */
  private static int sender(DolevStrong.Send send) {
    List<DolevStrong.Link> links = send.chain().links();
    return links.get(links.size() - 1).signer();
  }

  @Test
  void ic2CorrectTransmitterValueIsDecidedByEveryCorrectReplica() {
    build(0);
    nodes.get(0).start(bytes("put x 1"));
    runRounds(nodes.get(0).firstRound(), send -> true);
    for (int m : MEMBERS) {
      assertThat(nodes.get(m).decided()).isTrue();
      assertThat(nodes.get(m).decision()).isEqualTo(bytes("put x 1"));
    }
  }

  @Test
  void ic2HoldsWhenTFaultyReceiversStaySilent() {
    build(0);
    nodes.get(0).start(bytes("put x 1"));
    runRounds(nodes.get(0).firstRound(), send -> sender(send) != 2 && sender(send) != 3);
    assertThat(nodes.get(1).decision()).isEqualTo(bytes("put x 1"));
  }

  @Test
  void ic1EquivocatingTransmitterGivesEveryCorrectReplicaTheDefault() {
    build(0);
    Signer liar = SIGNERS.get(0);
    List<DolevStrong.Send> first = new ArrayList<>();
    first.add(signedBy(liar, 1, bytes("put x 1")));
    first.add(signedBy(liar, 2, bytes("put x 2")));
    first.add(signedBy(liar, 3, bytes("put x 1")));
    runRounds(first, send -> sender(send) != 0);
    for (int m : List.of(1, 2, 3)) {
      assertThat(nodes.get(m).decision()).as("replica %d", m).isEqualTo(DEFAULT);
    }
  }

  @Test
  void ic1ValueShownToOneReplicaInTheLastRoundAloneIsNotAccepted() {
    build(0);
    // Faulty transmitter 0 and faulty 1 collude: in round 3 replica 2 alone gets a chain of
    // only two signatures. It is short for round 3, so 2 must not extract it (3 never sees it).
    byte[] value = bytes("put x 9");
    DolevStrong.Chain two = chain(value, List.of(0, 1));
    for (int round = 1; round < 3; round++) {
      for (int m : List.of(2, 3)) {
        nodes.get(m).endRound();
      }
    }
    assertThat(nodes.get(2).receive(1, two)).isFalse();
    assertThat(nodes.get(2).rejected()).singleElement().asString()
        .contains("2 signatures, round 3 needs 3");
    nodes.get(2).endRound();
    nodes.get(3).endRound();
    assertThat(nodes.get(2).decision()).isEqualTo(nodes.get(3).decision()).isEqualTo(DEFAULT);
  }

  @Test
  void ic1LateChainWithTPlusOneSignaturesReachesEveryoneThroughTheCorrectSigner() {
    build(0);
    // 0 and 1 faulty: 0 signs for 1 only, 1 relays to 2 only in round 2; 2 relays in round 3.
    byte[] value = bytes("put x 3");
    List<DolevStrong.Send> first = List.of(signedBy(SIGNERS.get(0), 1, value));
    List<DolevStrong.Send> inFlight = new ArrayList<>(first);
    for (int round = 1; round <= T + 1; round++) {
      for (DolevStrong.Send send : inFlight) {
        boolean fromFaulty = sender(send) == 1;
        if (!fromFaulty || send.to() == 2) {
          nodes.get(send.to()).receive(sender(send), send.chain());
        }
      }
      inFlight.clear();
      for (int m : MEMBERS) {
        inFlight.addAll(nodes.get(m).endRound());
      }
    }
    assertThat(nodes.get(2).decision()).isEqualTo(value);
    assertThat(nodes.get(3).decision()).isEqualTo(value);
  }

  @Test
  void forgedSignatureIsDroppedWithItsReason() {
    build(0);
    byte[] value = bytes("put x 1");
    DolevStrong.Chain forged = new DolevStrong.Chain(7, 0, value,
        List.of(new DolevStrong.Link(0, SIGNERS.get(3).sign(value))));
    assertThat(nodes.get(1).receive(3, forged)).isFalse();
    assertThat(nodes.get(1).rejected()).singleElement().asString()
        .contains("signature of 0 does not verify");
  }

  @Test
  void chainOfAnotherInstanceIsNotReplayed() {
    build(0);
    DolevStrong other = new DolevStrong(SIGNERS.get(0), MEMBERS, T, 0, 8, DEFAULT);
    other.start(bytes("put x 1"));
    DolevStrong.Chain replayed = other.firstRound().get(0).chain();
    assertThat(nodes.get(1).receive(0, replayed)).isFalse();
    DolevStrong.Chain relabelled = new DolevStrong.Chain(7, 0, replayed.value(), replayed.links());
    assertThat(nodes.get(1).receive(0, relabelled)).isFalse();
    assertThat(nodes.get(1).rejected()).hasSize(2);
  }

  @Test
  void repeatedSignerDoesNotCountTwice() {
    build(0);
    byte[] value = bytes("put x 1");
    nodes.get(1).endRound();
    DolevStrong.Chain twice = chain(value, List.of(0, 0));
    assertThat(nodes.get(1).receive(0, twice)).isFalse();
    assertThat(nodes.get(1).rejected()).singleElement().asString().contains("signs twice");
  }

  @Test
  void decisionBeforeTheLastRoundIsRefused() {
    build(0);
    assertThatThrownBy(() -> nodes.get(1).decision()).isInstanceOf(IllegalStateException.class);
  }

  private DolevStrong.Send signedBy(Signer signer, int to, byte[] value) {
    return new DolevStrong.Send(to, chain(value, List.of(signer.self())));
  }

  /** A chain over {@code value} signed in order by {@code signers} (instance 7, transmitter 0). */
  private static DolevStrong.Chain chain(byte[] value, List<Integer> signers) {
    byte[] signed = java.nio.ByteBuffer.allocate(16 + value.length).putLong(7).putInt(0)
        .putInt(value.length).put(value).array();
    List<DolevStrong.Link> links = new ArrayList<>();
    for (int s : signers) {
      links.add(new DolevStrong.Link(s, SIGNERS.get(s).sign(signed)));
    }
    return new DolevStrong.Chain(7, 0, value, links);
  }
}
