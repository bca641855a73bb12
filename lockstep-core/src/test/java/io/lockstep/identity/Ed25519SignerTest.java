package io.lockstep.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Ed25519SignerTest {
  private static final byte[] DATA = "commit view 3 seq 7".getBytes(StandardCharsets.UTF_8);

  private final Map<Integer, Signer> signers =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(1, 2, 3), 42));

  @Test
  void aSignatureVerifiesAsItsSignerOnly() {
    byte[] signature = signers.get(1).sign(DATA);
    assertThat(signers.get(2).verify(1, DATA, signature)).isTrue();
    assertThat(signers.get(2).verify(3, DATA, signature)).isFalse();
    assertThat(signers.get(2).verify(9, DATA, signature)).isFalse();
  }

  @Test
  void aChangedMessageOrSignatureDoesNotVerify() {
    byte[] signature = signers.get(1).sign(DATA);
    byte[] altered = DATA.clone();
    altered[0] ^= 1;
    assertThat(signers.get(3).verify(1, altered, signature)).isFalse();
    byte[] forged = signature.clone();
    forged[10] ^= 1;
    assertThat(signers.get(3).verify(1, DATA, forged)).isFalse();
    assertThat(signers.get(3).verify(1, DATA, new byte[3])).isFalse();
    assertThat(signers.get(3).verify(1, DATA, null)).isFalse();
  }

  @Test
  void seededKeysAndSignaturesReplay() {
    Map<Integer, KeyPair> again = Ed25519Signer.seededKeyPairs(List.of(1, 2, 3), 42);
    assertThat(again.get(2).getPublic().getEncoded())
        .isEqualTo(Ed25519Signer.seededKeyPairs(List.of(1, 2, 3), 42).get(2).getPublic().getEncoded());
    assertThat(Ed25519Signer.signers(again).get(1).sign(DATA)).isEqualTo(signers.get(1).sign(DATA));
  }

  @Test
  void keysSurviveTheirEncodings() {
    KeyPair pair = Ed25519Signer.generate();
    Signer signer = new Ed25519Signer(5, Ed25519Signer.privateKey(pair.getPrivate().getEncoded()),
        Map.of(5, Ed25519Signer.publicKey(pair.getPublic().getEncoded())));
    assertThat(signer.verify(5, DATA, signer.sign(DATA))).isTrue();
    assertThatThrownBy(() -> Ed25519Signer.publicKey(new byte[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed25519");
  }

  @Test
  void withoutKeysSigningIsAClearErrorAndNothingVerifies() {
    Signer none = Signer.none(2);
    assertThatThrownBy(() -> none.sign(DATA)).hasMessageContaining("lockstep keys");
    assertThat(none.verify(1, DATA, new byte[64])).isFalse();
  }
}
