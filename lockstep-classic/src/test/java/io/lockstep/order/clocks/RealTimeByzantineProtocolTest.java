package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Recovered;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.stamped.StampedCodec;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.SignedClients;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.CodecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * real-time under {@code cluster.failure-model=byzantine} as the runtime sees it: what it needs
 * is checked and refused with the reason, Δ comes from the rounds, it builds the Byzantine
 * order, and its round messages cross the wire in the stamped codec.
 */
class RealTimeByzantineProtocolTest {
  private static ProtocolSetup setup(int n, int t, Map<String, String> s, boolean keys) {
    List<Integer> members = IntStream.range(0, n).boxed().toList();
    Signer signer = keys ? Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(members, 3)).get(0)
        : Signer.none(0);
    return new ProtocolSetup(0, members, FailureModel.BYZANTINE, t, s, signer);
  }

  @Test
  void twoTPlusOneReplicasWithKeysAndTheDefaultsPass() {
    var p = Protocols.named("real-time");
    assertThat(p.check(setup(3, 1, Map.of(), true))).isEmpty();
    assertThat(p.check(setup(3, 1, Map.of("test", "I"), true))).isEmpty();
    assertThat(p.create(setup(3, 1, Map.of(), true), Recovered.EMPTY, 1))
        .isInstanceOf(ByzantineRealTimeOrder.class);
    assertThat(p.everyReplicaOrders()).isTrue();
  }

  @Test
  void whatCannotWorkIsRefusedWithTheReason() {
    var p = Protocols.named("real-time");
    assertThat(p.check(setup(4, 2, Map.of(), true))).singleElement().asString()
        .contains("needs 2t+1 = 5 replicas");
    assertThat(p.check(setup(3, 1, Map.of(), false))).singleElement().asString()
        .contains("has no signing key");
    assertThat(p.check(setup(3, 1, Map.of("round-ms", "50", "skew-ms", "10"), true)))
        .singleElement().asString().contains("round-ms (50) must exceed", "(120)");
    assertThat(p.check(setup(3, 1, Map.of("test", "combined"), true))).singleElement()
        .asString().contains("test must be I under Byzantine faults", "silent liar");
    assertThatThrownBy(() -> p.create(setup(2, 1, Map.of(), true), Recovered.EMPTY, 1))
        .hasMessageContaining("2t+1");
  }

  @Test
  void deltaIsDerivedFromTheRoundsAndATooSmallOneIsRefusedWithTheReason() {
    var p = Protocols.named("real-time");
    // t = 1, 120 ms rounds, δ = 2 ms: Δ = 2 × 120 + 2.
    assertThat(ByzantineClockConfig.delta(1, 120, 2)).isEqualTo(242);
    assertThat(p.check(setup(3, 1, Map.of("delta-ms", "150"), true))).singleElement()
        .asString().contains("delta-ms cannot be set under Byzantine faults", "= 242 ms",
            "150 would be too small", "before every correct replica has it");
    assertThat(p.check(setup(3, 1, Map.of("delta-ms", "500"), true))).singleElement()
        .asString().contains("derives it from round-ms").doesNotContain("too small");
    // t = 2 needs one more round.
    assertThat(p.check(setup(5, 2, Map.of("delta-ms", "300"), true))).singleElement()
        .asString().contains("= 362 ms", "too small");
  }

  @Test
  void theTimingWatchChecksTheClockSkew() {
    var p = Protocols.named("real-time");
    assertThat(p.timingAssumptions(setup(3, 1, Map.of("skew-ms", "1"), true)).orElseThrow()
        .maxSkewMillis()).hasValue(1);
  }

  @Test
  void roundMessagesCrossTheWireAndTruncationIsRefused() {
    byte[] value = new ClockBatch(1_700_000_000_123L, Arrays.asList(Harness.request("c", "x"),
        null)).encode();
    RoundMessage m = new RoundMessage(new DolevStrong.Chain(42, 1, value, List.of(
        new DolevStrong.Link(1, new byte[] {1, 2}), new DolevStrong.Link(0, new byte[] {3}))));
    byte[] wire = StampedCodec.INSTANCE.encode(m);
    RoundMessage back = (RoundMessage) StampedCodec.INSTANCE.decode(wire);
    assertThat(back.chain().instance()).isEqualTo(42);
    assertThat(back.chain().links()).extracting(DolevStrong.Link::signer).containsExactly(1, 0);
    ClockBatch batch = ClockBatch.decode(back.chain().value());
    assertThat(batch.stamp()).isEqualTo(1_700_000_000_123L);
    assertThat(batch.requests()).containsExactly(Harness.request("c", "x"), null);
    assertThatThrownBy(() -> StampedCodec.INSTANCE.decode(Arrays.copyOf(wire, wire.length - 1)))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> ClockBatch.decode(Arrays.copyOf(value, value.length - 1)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void theClientKeysOfTheSetupReachTheOrderSoOneSignedCarrierIsEnough() {
    List<Integer> members = List.of(0, 1, 2);
    Map<Integer, Signer> signers = Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(members,
        3));
    Harness<Coordination> h = new Harness<>(3, (id, group) -> Protocols.named("real-time")
        .create(new ProtocolSetup(id, group, FailureModel.BYZANTINE, 1, Map.of(), signers.get(id))
        .withClientKeys(SignedClients.KEYS), Recovered.EMPTY, 1));
    h.tickAll(120, 5);
    Request a = h.request("a");
    SignedClients.hand(h, 0, a);
    h.tickAll(1_200, 5);
    assertThat(h.requestsApplied(1)).containsExactly(a);
    assertThat(h.requestsApplied(2)).containsExactly(a);
  }
}
