package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.testing.Harness;
import io.lockstep.order.testing.SignedClients;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real-time protocol's codec names, for the runtime's verification pool, exactly the client
 * signatures its order will check when a round message's batch is decided.
 */
class RoundMessageClaimsTest {
  private static final ProtocolCodec CODEC = new RealTimeClockProtocol().codec();

  private static RoundMessage round(byte[] value) {
    return new RoundMessage(new DolevStrong.Chain(7, 1, value,
        List.of(new DolevStrong.Link(1, new byte[64]))));
  }

  @Test
  void eachSignedRequestOfAnEd25519SignaturesLengthIsClaimedWithItsExactSignedBytes() {
    Request a = Harness.request("c", "a");
    Request b = Harness.request("d", "b");
    Request u = Harness.request("c", "u");
    byte[] signature = SignedClients.sign(a);
    ClockBatch batch = new ClockBatch(5, new CarriedRequests(Arrays.asList(a, b, u, null),
        Arrays.asList(signature, new byte[63], null, null)));
    List<SignatureClaim> claims = CODEC.signaturesCheckedLater(1,
        CODEC.decode(CODEC.encode(round(batch.encode()))));
    assertThat(claims).singleElement().satisfies(c -> {
      assertThat(c.client()).isEqualTo(a.client());
      assertThat(c.data()).isEqualTo(RequestSignature.signedBytes(a));
      assertThat(c.signature()).isEqualTo(signature);
    });
    assertThat(SignedClients.KEYS.verify(a.client(), claims.get(0).data(), signature)).isTrue();
  }

  @Test
  void unsignedBatchesUndecodableValuesAndOtherMessagesClaimNothing() {
    Request a = Harness.request("c", "a");
    byte[] unsigned = new ClockBatch(5, List.of(a)).encode();
    assertThat(CODEC.signaturesCheckedLater(1, round(unsigned))).isEmpty();
    byte[] truncated = new ClockBatch(5, new CarriedRequests(List.of(a),
        List.of(SignedClients.sign(a)))).encode();
    truncated = Arrays.copyOf(truncated, truncated.length - 1);
    assertThat(CODEC.signaturesCheckedLater(1, round(truncated))).isEmpty();
    assertThat(CODEC.signaturesCheckedLater(1, round(new byte[0]))).isEmpty();
    assertThat(CODEC.signatures(1, round(unsigned))).as("the chain is checked on the loop")
        .isEmpty();
  }
}
