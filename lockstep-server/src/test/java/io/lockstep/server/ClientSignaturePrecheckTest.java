package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.machine.ClientId;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients' request signatures go through the replica's one verification pool ({@link
 * SignatureIntake#precheck}): a message carrying them is not held back for them (an order on
 * synchronized rounds must see it in the round it arrives; the order checks them only when the
 * batch is decided), and their verdicts reach the order through {@link
 * PreverifiedSigner#clientKeys()}.
 */
class ClientSignaturePrecheckTest {
  /** A round message carrying one client-signed request. */
  record Carrying(Request request, byte[] signature) implements ProtocolMessage {}

  private static final KeyPair ALICE = Ed25519Signer.seededKeyPairs(List.of(1), 41).get(1);
  private static final ClientPublicKeys KEYS =
      ClientPublicKeys.ed25519(Map.of(ClientId.of("alice"), ALICE.getPublic()));
  private static final Request WRITE = Request.command(ClientId.of("alice"), 1,
      "set x 1".getBytes(StandardCharsets.UTF_8));

  private static final ProtocolCodec CODEC = new ClaimsOnlyCodec() {
    @Override
    public List<SignatureClaim> signaturesCheckedLater(int from, ProtocolMessage message) {
      Carrying c = (Carrying) message;
      return List.of(SignatureClaim.ofRequest(c.request(), c.signature()));
    }
  };

  @Test
  void aMessageCarryingClientSignaturesIsNotHeldBackWhileThePoolVerifiesThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    PreverifiedSigner signer = new PreverifiedSigner(io.lockstep.identity.Signer.none(2),
        (client, data, signature) -> {
          threads.add(Thread.currentThread().getName());
          awaitQuietly(release);
          return KEYS.verify(client, data, signature);
        }, 64);
    List<ProtocolMessage> delivered = Collections.synchronizedList(new ArrayList<>());
    byte[] good = RequestSignature.sign(WRITE, ALICE.getPrivate());
    byte[] forged = good.clone();
    forged[9] ^= 1;
    try (SignatureIntake intake = new SignatureIntake(5, CODEC, signer, 2,
        (from, m) -> delivered.add(m), reason -> { })) {
      intake.offer(1, new Carrying(WRITE, good));
      intake.offer(3, new Carrying(WRITE, forged));
      assertThat(delivered).as("delivered while their verifications are stuck").hasSize(2);
      release.countDown();
      for (int i = 0; i < 1_000 && signer.preverified() < 2; i++) {
        Thread.sleep(10);
      }
    }
    assertThat(signer.preverified()).isEqualTo(2);
    assertThat(threads).allMatch(name -> name.startsWith("lockstep-verify-5-"));
    ClientPublicKeys asTheOrderSeesThem = signer.clientKeys();
    assertThat(RequestSignature.refusal(WRITE, good, asTheOrderSeesThem)).isNull();
    assertThat(RequestSignature.refusal(WRITE, forged, asTheOrderSeesThem))
        .contains("does not verify");
    assertThat(signer.answeredFromMemory()).isEqualTo(2);
    assertThat(signer.verifiedInline()).isZero();
  }

  @Test
  void whenThePoolIsBusyPastHalfItsQueueClientClaimsAreLeftToTheOrder() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic
        .AtomicInteger();
    PreverifiedSigner signer = new PreverifiedSigner(io.lockstep.identity.Signer.none(2),
        (client, data, signature) -> {
          awaitQuietly(release);
          calls.incrementAndGet();
          return false;
        }, 4 * SignatureIntake.MAX_WAITING);
    List<SignatureClaim> many = new ArrayList<>();
    for (int i = 0; i < SignatureIntake.MAX_WAITING * 3; i++) {
      many.add(new SignatureClaim(SignatureClaim.CLIENT, ClientId.of("alice"),
          ("request " + i).getBytes(StandardCharsets.UTF_8), new byte[64]));
    }
    // The pool's one thread takes the first claim and blocks; claims queue until half of the
    // pool's queue (4 × MAX_WAITING) is taken; the rest are left to the order.
    int queued = 2 * SignatureIntake.MAX_WAITING + 1;
    try (SignatureIntake intake = new SignatureIntake(5, CODEC, signer, 1, (from, m) -> { },
        reason -> { })) {
      intake.precheck(many);
      release.countDown();
      for (int i = 0; i < 3_000 && calls.get() < 1 + queued; i++) {
        Thread.sleep(10);
      }
    }
    assertThat(calls.get()).isEqualTo(1 + queued);
    assertThat(signer.preverified()).isEqualTo(1 + queued);
    SignatureClaim last = many.get(many.size() - 1);
    assertThat(signer.clientKeys().verify(last.client(), last.data(), last.signature()))
        .isFalse();
    assertThat(signer.verifiedInline()).as("never claimed: verified by the order").isEqualTo(1);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
