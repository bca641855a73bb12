package io.lockstep.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.machine.ClientId;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bytes a client signs for its request, and their check under the cluster's keys. */
class RequestSignatureTest {
  static final KeyPair PAIR = Ed25519Signer.seededKeyPairs(List.of(0), 3).get(0);
  static final ClientPublicKeys KEYS =
      ClientPublicKeys.ed25519(Map.of(ClientId.of("c"), PAIR.getPublic()));
  static final Request A = Request.command(ClientId.of("c"), 4, "set x".getBytes());

  @Test
  void theSignedBytesBeginWithTheDomainTag() {
    assertThat(new String(RequestSignature.signedBytes(A), 0, 25, StandardCharsets.US_ASCII))
        .isEqualTo("lockstep/client-request/1");
  }

  @Test
  void everyFieldTheExecutorReadsIsSigned() {
    byte[] signed = RequestSignature.signedBytes(A);
    List<Request> others = List.of(
        Request.command(ClientId.of("d"), 4, "set x".getBytes()),
        Request.command(ClientId.of("c"), 5, "set x".getBytes()),
        Request.command(ClientId.of("c"), 4, "set y".getBytes()),
        new Request(ClientId.of("c"), 4, Request.Kind.NULL, "set x".getBytes(), null),
        new Request(ClientId.of("c"), 4, Request.Kind.COMMAND, "set x".getBytes(),
            ClientId.of("c2")));
    for (Request other : others) {
      assertThat(RequestSignature.signedBytes(other)).as(other.toString()).isNotEqualTo(signed);
    }
  }

  @Test
  void lengthsKeepTheClientAndCommandFromTradingBytes() {
    Request left = Request.command(ClientId.of("ab"), 1, "c".getBytes());
    Request right = Request.command(ClientId.of("a"), 1, "bc".getBytes());
    assertThat(RequestSignature.signedBytes(left))
        .isNotEqualTo(RequestSignature.signedBytes(right));
  }

  @Test
  void aSignatureVerifiesForItsOwnRequestOnly() {
    byte[] sig = RequestSignature.sign(A, PAIR.getPrivate());
    assertThat(sig).hasSize(RequestSignature.LENGTH)
        .as("deterministic").isEqualTo(RequestSignature.sign(A, PAIR.getPrivate()));
    assertThat(RequestSignature.refusal(A, sig, KEYS)).isNull();
    assertThat(RequestSignature.refusal(Request.command(A.client(), 5, A.command()), sig, KEYS))
        .contains("does not verify");
    assertThat(RequestSignature.refusal(A, sig, ClientPublicKeys.none()))
        .contains("does not verify");
    assertThat(RequestSignature.refusal(A, new byte[10], KEYS)).contains("malformed");
  }
}
