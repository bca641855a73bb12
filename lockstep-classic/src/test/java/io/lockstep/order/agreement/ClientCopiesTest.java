package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.agreement.ClientCopies.Outcome;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rule that takes a request as its client's own: t+1 distinct transmitters carried it, or
 * one carried it with its client's own signature.
 */
class ClientCopiesTest {
  static final Request A = Harness.request("c", "a");
  static final Map<Integer, KeyPair> PAIRS = Ed25519Signer.seededKeyPairs(List.of(1, 2), 7);
  /** Client c holds pair 1, client d pair 2. */
  static final ClientPublicKeys KEYS = ClientPublicKeys.ed25519(Map.of(
      ClientId.of("c"), PAIRS.get(1).getPublic(), ClientId.of("d"), PAIRS.get(2).getPublic()));

  static byte[] signedByC(Request r) {
    return RequestSignature.sign(r, PAIRS.get(1).getPrivate());
  }

  /** t = 2: three unsigned carriers would be needed. */
  static ClientCopies copies() {
    return new ClientCopies(2, 4, 100, KEYS);
  }

  @Test
  void oneCarrierWithTheClientsOwnSignatureIsEnough() {
    ClientCopies copies = copies();
    assertThat(copies.copy(A, signedByC(A), 3, 10)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(A, 0, 10)).as("later copies, signed or not, are ignored")
        .isEqualTo(Outcome.REPEAT);
    assertThat(copies.copy(A, signedByC(A), 1, 11)).isEqualTo(Outcome.REPEAT);
    assertThat(copies.held()).isZero();
    assertThat(copies.expire(14)).as("taken: nothing dropped").isEmpty();
  }

  @Test
  void aSignedCopyTakesARequestUnsignedCopiesHeld() {
    ClientCopies copies = copies();
    assertThat(copies.copy(A, 0, 10)).isEqualTo(Outcome.HELD);
    assertThat(copies.held()).isEqualTo(1);
    assertThat(copies.copy(A, signedByC(A), 1, 11)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.held()).isZero();
    assertThat(copies.expire(20)).isEmpty();
  }

  @Test
  void aForgedSignatureIsRefusedAndCountsForNothing() {
    byte[] forged = signedByC(A);
    forged[5] ^= 1;
    refusedAndNothingChanged(A, forged, "does not verify");
  }

  @Test
  void anAlteredCommandUnderAValidSignatureIsRefused() {
    Request altered = Request.command(A.client(), A.sequence(), "z".getBytes());
    refusedAndNothingChanged(altered, signedByC(A), "does not verify");
  }

  @Test
  void anotherClientsSignatureIsRefused() {
    refusedAndNothingChanged(A, RequestSignature.sign(A, PAIRS.get(2).getPrivate()),
        "does not verify under c");
  }

  @Test
  void aSignatureReplayedForAnotherSequenceNumberIsRefused() {
    Request next = Request.command(A.client(), A.sequence() + 1, A.command());
    refusedAndNothingChanged(next, signedByC(A), "does not verify");
  }

  @Test
  void aSignatureOverANullRequestDoesNotSignTheCommand() {
    Request asNull = Request.nullRequest(A.client(), A.sequence());
    Request empty = Request.command(A.client(), A.sequence(), new byte[0]);
    refusedAndNothingChanged(empty, signedByC(asNull), "does not verify");
  }

  @Test
  void malformedSignaturesAreRefusedWithTheirLength() {
    for (int length : new int[] {0, 63, 65, 255}) {
      refusedAndNothingChanged(A, new byte[length], "malformed client signature (" + length);
    }
  }

  @Test
  void withoutTheClientsKeyEvenItsValidSignatureIsRefused() {
    ClientCopies copies = new ClientCopies(1, 4, 100, ClientPublicKeys.none());
    assertThat(copies.copy(A, signedByC(A), 0, 1)).isEqualTo(Outcome.REFUSED);
    Request d = Harness.request("e", "a");
    assertThat(new ClientCopies(1, 4, 100, KEYS).copy(d, signedByC(d), 0, 1))
        .as("a client the cluster has no key for").isEqualTo(Outcome.REFUSED);
  }

  /**
   * {@code signature} on {@code r} is refused with {@code why}, and changes nothing: the
   * refusing transmitter still counts as a fresh carrier of r afterwards, nothing is held, and
   * r (unsigned) still needs all t+1 carriers.
   */
  private static void refusedAndNothingChanged(Request r, byte[] signature, String why) {
    ClientCopies copies = copies();
    assertThat(copies.copy(r, signature, 0, 1)).isEqualTo(Outcome.REFUSED);
    assertThat(copies.lastRefusal()).contains(why);
    assertThat(copies.held()).isZero();
    assertThat(copies.expire(100)).as("nothing was held").isEmpty();
    assertThat(copies.copy(r, 0, 101)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(r, signature, 1, 101)).isEqualTo(Outcome.REFUSED);
    assertThat(copies.copy(r, 1, 101)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(r, 2, 101)).isEqualTo(Outcome.TAKEN);
  }

  @Test
  void aRequestIsTakenOnceAtTheTPlusFirstDistinctTransmitter() {
    ClientCopies copies = new ClientCopies(2, 4, 100);
    assertThat(copies.copy(A, 0, 10)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(A, 0, 11)).as("the same transmitter twice counts once")
        .isEqualTo(Outcome.REPEAT);
    assertThat(copies.copy(A, 1, 11)).isEqualTo(Outcome.HELD);
    assertThat(copies.held()).isEqualTo(1);
    assertThat(copies.copy(A, 2, 12)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(A, 3, 12)).as("later copies are ignored").isEqualTo(Outcome.REPEAT);
    assertThat(copies.held()).isZero();
    assertThat(copies.expire(14)).as("taken: nothing dropped").isEmpty();
  }

  @Test
  void otherBytesUnderTheSameClientAndSequenceAreAnotherRequest() {
    ClientCopies copies = new ClientCopies(1, 4, 100);
    Request forged = Request.command(A.client(), A.sequence(), "z".getBytes());
    assertThat(copies.copy(A, 0, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(forged, 2, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(A, 1, 1)).isEqualTo(Outcome.TAKEN);
  }

  @Test
  void aRequestHeldTooLongIsDroppedAndReturnedForItsReason() {
    ClientCopies copies = new ClientCopies(1, 4, 100);
    copies.copy(A, 2, 10);
    assertThat(copies.expire(13)).isEmpty();
    assertThat(copies.expire(14)).containsExactly(A);
    assertThat(copies.held()).isZero();
    assertThat(copies.copy(A, 0, 15)).as("forgotten: a new tally").isEqualTo(Outcome.HELD);
  }

  @Test
  void aFullTableDropsNewRequestsButStillCountsCopiesOfHeldOnes() {
    ClientCopies copies = new ClientCopies(1, 4, 1);
    Request b = Harness.request("c", "b");
    assertThat(copies.copy(A, 2, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(b, 2, 1)).isEqualTo(Outcome.FULL);
    assertThat(copies.copy(A, 0, 1)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(b, 2, 1)).as("room again").isEqualTo(Outcome.HELD);
  }
}
