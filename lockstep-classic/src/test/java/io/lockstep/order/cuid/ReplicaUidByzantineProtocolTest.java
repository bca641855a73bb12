package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Recovered;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.SignedClients;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.CodecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * replica-uid under {@code cluster.failure-model=byzantine} as the runtime sees it: what it
 * needs is checked and refused with the reason, it builds the Byzantine order, and its round
 * messages cross the wire.
 */
class ReplicaUidByzantineProtocolTest {
  private static ProtocolSetup setup(int n, int t, Map<String, String> s, boolean keys) {
    List<Integer> members = IntStream.range(0, n).boxed().toList();
    Signer signer = keys ? Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(members, 3)).get(0)
        : Signer.none(0);
    return new ProtocolSetup(0, members, FailureModel.BYZANTINE, t, s, signer);
  }

  @Test
  void twoTPlusOneReplicasWithKeysAndTheDefaultsPass() {
    assertThat(new ReplicaUidProtocol().check(setup(3, 1, Map.of(), true))).isEmpty();
    assertThat(new ReplicaUidProtocol().create(setup(3, 1, Map.of(), true), Recovered.EMPTY, 1))
        .isInstanceOf(ByzantineCandidateOrder.class);
  }

  @Test
  void whatCannotWorkIsRefusedWithTheReason() {
    var p = new ReplicaUidProtocol();
    assertThat(p.check(setup(4, 2, Map.of(), true))).singleElement().asString()
        .contains("needs 2t+1 = 5 replicas");
    assertThat(p.check(setup(3, 1, Map.of(), false))).singleElement().asString()
        .contains("has no signing key");
    assertThat(p.check(setup(3, 1, Map.of("round-ms", "50", "clock-skew-ms", "10"), true)))
        .singleElement().asString().contains("round-ms (50) must exceed", "(120)");
    assertThat(p.check(setup(3, 1, Map.of("variant", "abcast"), true))).singleElement()
        .asString().contains("fail-stop only");
  }

  @Test
  void theTimingWatchChecksTheClockSkewUnderByzantineFaultsOnly() {
    var p = new ReplicaUidProtocol();
    assertThat(p.timingAssumptions(setup(3, 1, Map.of("clock-skew-ms", "7"), true)).orElseThrow()
        .maxSkewMillis()).hasValue(7);
  }

  @Test
  void logicalClockRefusesByzantineFaultsWithThePapersReason() {
    assertThat(Protocols.named("logical-clock").check(setup(3, 1, Map.of(), true)))
        .singleElement().asString().contains("fail-stop faults only", "stability test");
  }

  @Test
  void roundMessagesCrossTheWireAndTruncationIsRefused() {
    byte[] value = new Batch(List.of(Harness.request("c", "x")), List.of(
        new Batch.Candidate(1, 7, 9)), List.of(2)).encode();
    RoundMessage m = new RoundMessage(new DolevStrong.Chain(42, 1, value, List.of(
        new DolevStrong.Link(1, new byte[] {1, 2}), new DolevStrong.Link(0, new byte[] {3}))));
    byte[] wire = CuidCodec.INSTANCE.encode(m);
    RoundMessage back = (RoundMessage) CuidCodec.INSTANCE.decode(wire);
    assertThat(back.chain().instance()).isEqualTo(42);
    assertThat(back.chain().value()).isEqualTo(value);
    assertThat(back.chain().links()).extracting(DolevStrong.Link::signer).containsExactly(1, 0);
    assertThat(Batch.decode(back.chain().value()).candidates())
        .containsExactly(new Batch.Candidate(1, 7, 9));
    Executable truncated = () -> CuidCodec.INSTANCE.decode(Arrays.copyOf(wire, wire.length - 1));
    org.junit.jupiter.api.Assertions.assertThrows(CodecException.class, truncated);
    org.junit.jupiter.api.Assertions.assertThrows(CodecException.class,
        () -> Batch.decode(Arrays.copyOf(value, value.length - 1)));
  }

  @Test
  void theClientKeysOfTheSetupReachTheOrderSoOneSignedCarrierIsEnough() {
    List<Integer> members = List.of(0, 1, 2);
    Map<Integer, Signer> signers = Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(members,
        3));
    Harness<Coordination> h = new Harness<>(3, (id, group) -> new ReplicaUidProtocol()
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
