package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.agreement.ClientCopies.Outcome;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientCopies} consuming verdicts a runtime's pool computed ahead ({@link
 * PreverifiedSigner#clientKeys()}) decides exactly as when it verifies each signature itself,
 * and does not verify again what the pool verified.
 */
class PreverifiedClientSignaturesTest {
  private static final Request A = ClientCopiesTest.A;

  /** Counts the real verifications, on whatever thread runs them. */
  private static final class CountingKeys implements ClientPublicKeys {
    final ClientPublicKeys inner;
    final AtomicInteger calls = new AtomicInteger();

    CountingKeys(ClientPublicKeys inner) {
      this.inner = inner;
    }

    @Override
    public boolean verify(ClientId client, byte[] data, byte[] signature) {
      calls.incrementAndGet();
      return inner.verify(client, data, signature);
    }
  }

  private static PreverifiedSigner preverified(ClientPublicKeys keys) {
    return new PreverifiedSigner(Signer.none(1), keys, 64);
  }

  @Test
  void aRequestVerifiedByThePoolIsNotVerifiedAgainOnTheLoop() {
    CountingKeys keys = new CountingKeys(ClientCopiesTest.KEYS);
    PreverifiedSigner signer = preverified(keys);
    byte[] signature = ClientCopiesTest.signedByC(A);
    // The pool's side: the claim from the client port, then from three carriers' batches.
    for (int carrier = 0; carrier < 4; carrier++) {
      assertThat(signer.preverify(SignatureClaim.ofRequest(A, signature))).isTrue();
    }
    assertThat(keys.calls.get()).as("verified once for every carrier").isEqualTo(1);
    // The loop's side: the order reads the decided batches.
    ClientCopies copies = new ClientCopies(2, 4, 100, signer.clientKeys());
    assertThat(copies.copy(A, signature, 3, 10)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(A, signature, 1, 10)).isEqualTo(Outcome.REPEAT);
    assertThat(keys.calls.get()).as("nothing verified on the loop").isEqualTo(1);
    assertThat(signer.answeredFromMemory()).isEqualTo(1);
    assertThat(signer.verifiedInline()).isZero();
  }

  @Test
  void aPositivePreVerdictForOtherBytesDoesNotTakeAForgedRequest() {
    byte[] signature = ClientCopiesTest.signedByC(A);
    Request altered = Request.command(A.client(), A.sequence(), "z".getBytes());
    // A verifier wrong for A's bytes only: it says yes to any signature over them.
    byte[] aBytes = RequestSignature.signedBytes(A);
    CountingKeys keys = new CountingKeys((client, data, s) -> Arrays.equals(data, aBytes)
        || ClientCopiesTest.KEYS.verify(client, data, s));
    PreverifiedSigner signer = preverified(keys);
    byte[] forged = signature.clone();
    forged[7] ^= 1;
    assertThat(signer.preverify(SignatureClaim.ofRequest(A, forged))).as("the wrong verdict")
        .isTrue();
    ClientCopies copies = new ClientCopies(2, 4, 100, signer.clientKeys());
    // The same forged signature under other bytes, another client, another sequence number.
    Request otherClient = Request.command(ClientId.of("d"), A.sequence(), A.command());
    Request next = Request.command(A.client(), A.sequence() + 1, A.command());
    for (Request r : List.of(altered, otherClient, next)) {
      assertThat(copies.copy(r, forged, 0, 1)).as(r.toString()).isEqualTo(Outcome.REFUSED);
      assertThat(copies.lastRefusal()).contains("does not verify");
    }
    assertThat(signer.verifiedInline()).as("each verified in place, none from memory")
        .isEqualTo(3);
    assertThat(signer.answeredFromMemory()).isZero();
  }

  @Test
  void withoutThePoolEveryCopyHasTheSameOutcomeVerifiedInPlace() {
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    byte[] good = ClientCopiesTest.signedByC(A);
    byte[] forged = good.clone();
    forged[3] ^= 1;
    Request b = Harness.request("c", "b");
    Request e = Harness.request("e", "a");
    addCopies(requests, signatures, A, forged, A, good, A, good, b, new byte[63], b, null,
        b, ClientCopiesTest.signedByC(b), e, ClientCopiesTest.signedByC(e),
        Request.command(b.client(), b.sequence(), "z".getBytes()), ClientCopiesTest.signedByC(b));
    List<String> direct = outcomes(ClientCopiesTest.KEYS, requests, signatures);
    CountingKeys poolOff = new CountingKeys(ClientCopiesTest.KEYS);
    PreverifiedSigner idle = preverified(poolOff);
    assertThat(outcomes(idle.clientKeys(), requests, signatures)).isEqualTo(direct);
    assertThat(idle.verifiedInline()).isEqualTo(poolOff.calls.get()).isPositive();
    CountingKeys poolOn = new CountingKeys(ClientCopiesTest.KEYS);
    PreverifiedSigner busy = preverified(poolOn);
    CarriedRequests carried = new CarriedRequests(requests, signatures);
    carried.claims().forEach(busy::preverify);
    int byPool = poolOn.calls.get();
    assertThat(outcomes(busy.clientKeys(), requests, signatures)).isEqualTo(direct);
    assertThat(poolOn.calls.get()).as("the loop verified nothing").isEqualTo(byPool);
    assertThat(direct).containsExactly("REFUSED does not verify", "TAKEN", "REPEAT",
        "REFUSED malformed", "HELD", "TAKEN", "REFUSED does not verify",
        "REFUSED does not verify");
  }

  private static void addCopies(List<Request> requests, List<byte[]> signatures,
      Object... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      requests.add((Request) pairs[i]);
      signatures.add((byte[]) pairs[i + 1]);
    }
  }

  /** Each copy's outcome (with the refusal's first words) from transmitter i's batch. */
  private static List<String> outcomes(ClientPublicKeys keys, List<Request> requests,
      List<byte[]> signatures) {
    ClientCopies copies = new ClientCopies(2, 4, 100, keys);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      Outcome o = copies.copy(requests.get(i), signatures.get(i), i, 1);
      String why = copies.lastRefusal();
      out.add(o != Outcome.REFUSED ? o.name() : o + (why.startsWith("malformed")
          ? " malformed" : " does not verify"));
    }
    return out;
  }
}
