package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dolev–Strong in lockstep rounds: three replicas, t = 1, chains delivered within their round
 * unless a test holds them.
 */
class SignedRoundsTest {
  private static final List<Integer> MEMBERS = List.of(0, 1, 2);
  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(MEMBERS, 9));

  private final Map<Integer, SignedRounds> nodes = new HashMap<>();
  private final Map<Integer, List<SignedRounds.Decided>> decided = new HashMap<>();

  SignedRoundsTest() {
    for (int m : MEMBERS) {
      nodes.put(m, new SignedRounds(SIGNERS.get(m), MEMBERS, 1));
      decided.put(m, new ArrayList<>());
    }
  }

  private void begin(long round) {
    for (int m : MEMBERS) {
      decided.get(m).addAll(nodes.get(m).begin(round));
    }
  }

  /** Delivers every chain sent, from {@code m}'s point of view as the sender. */
  private void deliverAll() {
    for (int m : MEMBERS) {
      for (DolevStrong.Send s : nodes.get(m).drainSends()) {
        nodes.get(s.to()).receive(m, s.chain());
      }
    }
  }

  private static String text(SignedRounds.Decided d) {
    return d.value() == null ? null : new String(d.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aValueTransmittedInRoundSIsDecidedEverywhereAsRoundSPlusTPlusOneBegins() {
    begin(10);
    nodes.get(1).transmit("v".getBytes(StandardCharsets.UTF_8));
    deliverAll();
    begin(11);
    deliverAll();
    for (int m : MEMBERS) {
      assertThat(decided.get(m)).isEmpty();
    }
    begin(12);
    for (int m : MEMBERS) {
      assertThat(decided.get(m)).singleElement().satisfies(d -> {
        assertThat(d.round()).isEqualTo(10);
        assertThat(d.transmitter()).isEqualTo(1);
        assertThat(text(d)).isEqualTo("v");
      });
    }
  }

  @Test
  void aTransmitterThatSignsTwoValuesIsDecidedAsTheDefaultEverywhere() {
    begin(10);
    byte[] a = "a".getBytes(StandardCharsets.UTF_8);
    byte[] b = "b".getBytes(StandardCharsets.UTF_8);
    Signer liar = SIGNERS.get(2);
    nodes.get(0).receive(2, new DolevStrong.Chain(10, 2, a, List.of(new DolevStrong.Link(2,
        liar.sign(DolevStrong.signedBytes(10, 2, a))))));
    nodes.get(1).receive(2, new DolevStrong.Chain(10, 2, b, List.of(new DolevStrong.Link(2,
        liar.sign(DolevStrong.signedBytes(10, 2, b))))));
    begin(11);
    deliverAll();
    begin(12);
    assertThat(decided.get(0)).singleElement().satisfies(d -> assertThat(d.value()).isNull());
    assertThat(decided.get(1)).singleElement().satisfies(d -> assertThat(d.value()).isNull());
  }

  @Test
  void aChainOneRoundEarlyIsHeldUntilItsRoundBegins() {
    begin(10);
    nodes.get(0).begin(11); // replica 0's clock is ahead
    nodes.get(0).transmit("early".getBytes(StandardCharsets.UTF_8));
    List<DolevStrong.Send> sent = nodes.get(0).drainSends();
    sent.forEach(s -> nodes.get(s.to()).receive(0, s.chain()));
    assertThat(nodes.get(1).drainRejected()).isEmpty();
    nodes.get(1).begin(11);
    nodes.get(2).begin(11);
    deliverAll();
    for (int m : MEMBERS) {
      decided.get(m).addAll(nodes.get(m).begin(12));
    }
    deliverAll();
    begin(13);
    for (int m : MEMBERS) {
      assertThat(decided.get(m)).extracting(SignedRoundsTest::text).containsExactly("early");
    }
  }

  @Test
  void aChainOutsideItsInstancesRoundsIsDroppedWithTheReason() {
    begin(10);
    nodes.get(0).transmit("v".getBytes(StandardCharsets.UTF_8));
    List<DolevStrong.Send> late = nodes.get(0).drainSends();
    begin(11);
    begin(12);
    late.forEach(s -> nodes.get(s.to()).receive(0, s.chain()));
    assertThat(nodes.get(1).drainRejected()).singleElement().asString()
        .contains("chain of round 10 outside rounds 11..12");
  }

  /** Every replica but {@code stalled} begins {@code round}: the stalled one's loop is busy. */
  private void beginAllBut(int stalled, long round) {
    for (int m : MEMBERS) {
      if (m != stalled) {
        decided.get(m).addAll(nodes.get(m).begin(round));
      }
    }
  }

  private record Held(int from, DolevStrong.Chain chain) {}

  /** Delivers every chain sent, except those to {@code stalled}, which go into {@code held}. */
  private void deliverAllBut(int stalled, List<Held> held) {
    for (int m : MEMBERS) {
      for (DolevStrong.Send s : nodes.get(m).drainSends()) {
        if (s.to() == stalled) {
          held.add(new Held(m, s.chain()));
        } else {
          nodes.get(s.to()).receive(m, s.chain());
        }
      }
    }
  }

  @Test
  void roundsSkippedBeforeTheRoundsBeganAreNoBrokenSynchronyAndLaterValuesDecideAlike() {
    begin(10);
    beginAllBut(2, 11);
    beginAllBut(2, 12);
    begin(13); // replica 2's loop stalled over rounds 11 and 12 while it started
    for (int m : MEMBERS) {
      assertThat(nodes.get(m).drainBrokenSynchrony()).as("replica %d", m).isEmpty();
    }
    nodes.get(2).transmit("after".getBytes(StandardCharsets.UTF_8));
    deliverAll();
    begin(14);
    deliverAll();
    begin(15);
    for (int m : MEMBERS) {
      assertThat(decided.get(m)).extracting(SignedRoundsTest::text).containsExactly("after");
      assertThat(nodes.get(m).drainBrokenSynchrony()).isEmpty();
    }
  }

  @Test
  void aRoundSkippedOnceTheRoundsBeganIsReportedAsBrokenSynchrony() {
    begin(10);
    nodes.get(1).transmit("v".getBytes(StandardCharsets.UTF_8));
    deliverAll();
    beginAllBut(2, 11);
    begin(12); // replica 2 owed relays of round 10's instance at round 11
    assertThat(nodes.get(2).drainBrokenSynchrony()).singleElement().asString()
        .contains("replica 2: round 12 follows round 10", "synchrony");
    assertThat(nodes.get(0).drainBrokenSynchrony()).isEmpty();
  }

  @Test
  void aChainOfARoundSkippedWhileStartingThatArrivesLaterIsReportedAsBrokenSynchrony() {
    begin(10);
    beginAllBut(2, 11);
    nodes.get(1).transmit("v".getBytes(StandardCharsets.UTF_8));
    List<Held> toTwo = new ArrayList<>(); // waits in replica 2's queue while its loop stalls
    deliverAllBut(2, toTwo);
    beginAllBut(2, 12);
    deliverAllBut(2, toTwo);
    begin(13); // the skip itself is excused: nothing had reached replica 2's rounds yet
    assertThat(nodes.get(2).drainBrokenSynchrony()).isEmpty();
    toTwo.forEach(h -> nodes.get(2).receive(h.from(), h.chain()));
    assertThat(nodes.get(2).drainBrokenSynchrony()).singleElement().asString()
        .contains("chain of round 11", "skipped rounds up to 12");
  }
}
