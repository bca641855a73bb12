package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignatureIntakeTest {
  /** A test message: {@code signed} ones carry one claim by replica 1. */
  record Msg(int n, boolean signed, boolean forged) implements ProtocolMessage {}

  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(1, 2), 3));

  /**
   * Claims of {@link Msg}; other messages make none. The intake only asks a codec for claims:
   * messages reach it decoded, so this codec never encodes or decodes.
   */
  private static final ProtocolCodec CODEC = new ClaimsOnlyCodec() {
    @Override
    public List<SignatureClaim> signatures(int from, ProtocolMessage message) {
      Msg m = (Msg) message;
      if (!m.signed()) {
        return List.of();
      }
      byte[] data = data(m);
      byte[] signature = SIGNERS.get(1).sign(data);
      if (m.forged()) {
        signature[0] ^= 1;
      }
      return List.of(new SignatureClaim(1, data, signature));
    }
  };

  private static byte[] data(Msg m) {
    return ("message " + m.n()).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void signaturesAreVerifiedOnThePoolAndTheLoopThenVerifiesNothingItself() throws Exception {
    Set<String> verifyingThreads = ConcurrentHashMap.newKeySet();
    PreverifiedSigner watched = new PreverifiedSigner(
        watching(() -> verifyingThreads.add(Thread.currentThread().getName())), 64);
    List<Msg> delivered = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch two = new CountDownLatch(2);
    try (SignatureIntake intake = new SignatureIntake(7, CODEC, watched, 2, (from, m) -> {
      delivered.add((Msg) m);
      two.countDown();
    }, reason -> { })) {
      intake.offer(1, new Msg(1, true, false));
      intake.offer(1, new Msg(2, true, true));
      assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(verifyingThreads).allMatch(name -> name.startsWith("lockstep-verify-7-"));
    // What the loop's core does next: both verdicts, the forged one false, from memory.
    byte[] good = SIGNERS.get(1).sign(data(new Msg(1, true, false)));
    byte[] bad = SIGNERS.get(1).sign(data(new Msg(2, true, true)));
    bad[0] ^= 1;
    assertThat(watched.verify(1, data(new Msg(1, true, false)), good)).isTrue();
    assertThat(watched.verify(1, data(new Msg(2, true, true)), bad)).isFalse();
    assertThat(watched.answeredFromMemory()).isEqualTo(2);
    assertThat(watched.verifiedInline()).isZero();
    assertThat(watched.preverified()).isEqualTo(2);
  }

  @Test
  void eachPeersMessagesReachTheLoopInArrivalOrderThoughSignedOnesWaitForTheirChecks()
      throws Exception {
    PreverifiedSigner signer = new PreverifiedSigner(SIGNERS.get(2), 4096);
    Map<Integer, List<Integer>> delivered = new ConcurrentHashMap<>();
    int perPeer = 300;
    CountDownLatch all = new CountDownLatch(2 * perPeer);
    try (SignatureIntake intake = new SignatureIntake(2, CODEC, signer, 2, (from, m) -> {
      delivered.computeIfAbsent(from, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(((Msg) m).n());
      all.countDown();
    }, reason -> { })) {
      for (int n = 0; n < perPeer; n++) {
        boolean signed = n % 7 == 3; // unsigned messages arrive right behind signed ones
        intake.offer(1, new Msg(n, signed, false));
        intake.offer(3, new Msg(n, n % 5 == 0, false));
      }
      assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
      // The count drops just after each delivery: wait for the last one's.
      for (int i = 0; i < 1_000 && intake.waiting() > 0; i++) {
        Thread.sleep(10);
      }
      assertThat(intake.waiting()).isZero();
    }
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < perPeer; n++) {
      expected.add(n);
    }
    assertThat(delivered.get(1)).containsExactlyElementsOf(expected);
    assertThat(delivered.get(3)).containsExactlyElementsOf(expected);
    assertThat(signer.preverified()).isPositive();
  }

  @Test
  void unsignedMessagesWithNothingAheadGoStraightToTheLoopOnTheCallersThread() {
    PreverifiedSigner signer = new PreverifiedSigner(SIGNERS.get(2), 16);
    List<String> threads = new ArrayList<>();
    try (SignatureIntake intake = new SignatureIntake(2, CODEC, signer, 1,
        (from, m) -> threads.add(Thread.currentThread().getName()), reason -> { })) {
      intake.offer(1, new Msg(1, false, false));
    }
    assertThat(threads).containsExactly(Thread.currentThread().getName());
  }

  @Test
  void aFullBacklogDropsAndCountsInsteadOfGrowing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    // The first message's check cannot finish (a stuck verification), so everything the same
    // peer sends after it waits behind it, up to the bound.
    PreverifiedSigner signer = new PreverifiedSigner(watching(() -> awaitQuietly(release)), 16);
    List<String> drops = Collections.synchronizedList(new ArrayList<>());
    try (SignatureIntake intake = new SignatureIntake(2, CODEC, signer, 1, (from, m) -> { },
        drops::add)) {
      intake.offer(1, new Msg(0, true, false));
      for (int n = 1; n <= SignatureIntake.MAX_WAITING + 10; n++) {
        intake.offer(1, new Msg(n, false, false));
      }
      assertThat(drops).hasSize(11).allMatch(r -> r.equals("signature checks backlogged"));
      release.countDown();
    }
  }

  @Test
  void theMetricsCountPreverifiedRememberedAndInlineChecks() {
    PreverifiedSigner signer = new PreverifiedSigner(SIGNERS.get(2), 16);
    ServerMetrics metrics = new ServerMetrics(2);
    metrics.bindSignatures(signer);
    Msg signed = new Msg(1, true, false);
    SignatureClaim claim = CODEC.signatures(1, signed).get(0);
    signer.preverify(claim);
    signer.verify(1, claim.data(), claim.signature());
    signer.verify(1, claim.data(), new byte[64]);
    String scrape = metrics.scrape();
    assertThat(scrape).containsPattern("lockstep_signatures_preverified_total\\{[^}]*\\} 1\\.0")
        .containsPattern("lockstep_signatures_remembered_total\\{[^}]*\\} 1\\.0")
        .containsPattern("lockstep_signatures_inline_total\\{[^}]*\\} 1\\.0");
  }

  @Test
  void aRetransmittedSignedMessageIsVerifiedOnceAndCountedByKindAsRemembered() throws Exception {
    AtomicInteger ed25519 = new AtomicInteger();
    PreverifiedSigner signer = new PreverifiedSigner(watching(ed25519::incrementAndGet), 64);
    ServerMetrics metrics = new ServerMetrics(2);
    CountDownLatch three = new CountDownLatch(3);
    try (SignatureIntake intake = new SignatureIntake(2, CODEC, signer, 2, (from, m) ->
        three.countDown(), reason -> { }, metrics::signatureClaim)) {
      Msg vote = new Msg(5, true, false);
      intake.offer(1, vote);
      intake.offer(1, vote); // the same bytes again: a retransmission
      intake.offer(1, new Msg(6, false, false));
      assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ed25519.get()).as("Ed25519 runs").isEqualTo(1);
    assertThat(metrics.signatureClaims("Msg", true)).isEqualTo(1.0);
    assertThat(metrics.signatureClaims("Msg", false)).isEqualTo(1.0);
    assertThat(metrics.scrape()).containsPattern(
        "lockstep_signature_claims_total\\{ed25519=\"remembered\",kind=\"Msg\",[^}]*\\} 1\\.0");
  }

  @Test
  void thePrecheckIsOnUnlessTheEnvironmentTurnsItOff() {
    assertThat(SignatureIntake.enabled(null)).isTrue();
    assertThat(SignatureIntake.enabled("on")).isTrue();
    assertThat(SignatureIntake.enabled("OFF")).isFalse();
  }

  @Test
  void twoThreadsAtMostOneAtLeast() {
    assertThat(SignatureIntake.threadsFor(1)).isEqualTo(1);
    assertThat(SignatureIntake.threadsFor(2)).isEqualTo(2);
    assertThat(SignatureIntake.threadsFor(64)).isEqualTo(2);
  }

  /** Replica 2's signer, running {@code onVerify} on the verifying thread before each check. */
  private static Signer watching(Runnable onVerify) {
    return new Signer() {
      @Override
      public int self() {
        return 2;
      }

      @Override
      public byte[] sign(byte[] data) {
        return SIGNERS.get(2).sign(data);
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        onVerify.run();
        return SIGNERS.get(2).verify(node, data, signature);
      }
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
