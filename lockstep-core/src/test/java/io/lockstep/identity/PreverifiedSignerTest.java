package io.lockstep.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreverifiedSignerTest {
  private static final byte[] DATA = "checkpoint 128".getBytes(StandardCharsets.UTF_8);
  private final Map<Integer, Signer> signers =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(1, 2), 5));

  @Test
  void aPreverifiedClaimIsAnsweredFromMemoryWithTheInnerSignersVerdict() {
    Counting inner = new Counting(signers.get(2));
    PreverifiedSigner signer = new PreverifiedSigner(inner, 16);
    byte[] good = signers.get(1).sign(DATA);
    byte[] forged = good.clone();
    forged[5] ^= 1;
    assertThat(signer.preverify(new SignatureClaim(1, DATA, good))).isTrue();
    assertThat(signer.preverify(new SignatureClaim(1, DATA, forged))).isFalse();
    int before = inner.calls.get();
    assertThat(signer.verify(1, DATA, good)).isTrue();
    assertThat(signer.verify(1, DATA, forged)).isFalse();
    assertThat(inner.calls.get()).isEqualTo(before);
    assertThat(signer.answeredFromMemory()).isEqualTo(2);
    assertThat(signer.verifiedInline()).isZero();
  }

  @Test
  void aRetransmittedClaimIsNotVerifiedAgainByThePrecheck() {
    Counting inner = new Counting(signers.get(2));
    PreverifiedSigner signer = new PreverifiedSigner(inner, 16);
    byte[] good = signers.get(1).sign(DATA);
    byte[] forged = good.clone();
    forged[1] ^= 1;
    for (int i = 0; i < 5; i++) {
      assertThat(signer.preverify(new SignatureClaim(1, DATA, good))).isTrue();
      assertThat(signer.preverify(new SignatureClaim(1, DATA, forged))).isFalse();
    }
    assertThat(inner.calls.get()).isEqualTo(2);
    assertThat(signer.preverified()).isEqualTo(2);
  }

  @Test
  void aClaimDifferingInAnyByteOrSignerIsVerifiedAgainNotTakenFromMemory() {
    Counting inner = new Counting(signers.get(2));
    PreverifiedSigner signer = new PreverifiedSigner(inner, 16);
    byte[] good = signers.get(1).sign(DATA);
    signer.preverify(new SignatureClaim(1, DATA, good));
    byte[] other = DATA.clone();
    other[0] ^= 1;
    assertThat(signer.verify(1, other, good)).isFalse();
    assertThat(signer.verify(2, DATA, good)).isFalse();
    // Bytes moved from the data to the signature make a different key, not a collision.
    byte[] shorter = java.util.Arrays.copyOf(DATA, DATA.length - 1);
    byte[] longer = new byte[good.length + 1];
    longer[0] = DATA[DATA.length - 1];
    System.arraycopy(good, 0, longer, 1, good.length);
    assertThat(signer.verify(1, shorter, longer)).isFalse();
    assertThat(signer.verifiedInline()).isEqualTo(3);
    assertThat(signer.answeredFromMemory()).isZero();
  }

  @Test
  void aVerdictIsKeptForTheBytesAsVerifiedNotForAnArrayTheCallerChangesLater() {
    Counting inner = new Counting(signers.get(2));
    PreverifiedSigner signer = new PreverifiedSigner(inner, 16);
    byte[] data = DATA.clone();
    byte[] good = signers.get(1).sign(DATA);
    assertThat(signer.preverify(new SignatureClaim(1, data, good))).isTrue();
    data[0] ^= 1; // the same array, now other bytes: must not inherit the verdict
    assertThat(signer.remembers(new SignatureClaim(1, data, good))).isFalse();
    assertThat(signer.verify(1, data, good)).isFalse();
    assertThat(signer.remembers(new SignatureClaim(1, DATA.clone(), good.clone()))).isTrue();
    assertThat(signer.verify(1, DATA.clone(), good.clone())).isTrue();
    assertThat(signer.verifiedInline()).isEqualTo(1);
    assertThat(signer.answeredFromMemory()).isEqualTo(1);
  }

  @Test
  void aClaimArrivingWhileTheSameIsBeingVerifiedWaitsForThatVerdictInsteadOfVerifyingAgain()
      throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Signer slow = new Signer() {
      @Override
      public int self() {
        return 2;
      }

      @Override
      public byte[] sign(byte[] data) {
        return signers.get(2).sign(data);
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        calls.incrementAndGet();
        entered.countDown();
        try {
          release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return signers.get(2).verify(node, data, signature);
      }
    };
    PreverifiedSigner signer = new PreverifiedSigner(slow, 16);
    byte[] good = signers.get(1).sign(DATA);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> signer.preverify(new SignatureClaim(1, DATA, good)));
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // A copy of the same claim (other arrays, same bytes), as a new view's second proof has.
      var second = pool.submit(() -> signer.preverify(
          new SignatureClaim(1, DATA.clone(), good.clone())));
      assertThat(signer.remembers(new SignatureClaim(1, DATA, good))).isTrue();
      Thread.sleep(50); // the second is waiting, not verifying
      release.countDown();
      assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(calls.get()).isEqualTo(1);
    assertThat(signer.preverified()).isEqualTo(1);
  }

  @Test
  void theOldestVerdictsAreForgottenAndThenVerifiedInline() {
    Counting inner = new Counting(signers.get(2));
    PreverifiedSigner signer = new PreverifiedSigner(inner, 2);
    for (int i = 0; i < 3; i++) {
      byte[] data = ("vote " + i).getBytes(StandardCharsets.UTF_8);
      signer.preverify(new SignatureClaim(1, data, signers.get(1).sign(data)));
    }
    byte[] first = "vote 0".getBytes(StandardCharsets.UTF_8);
    assertThat(signer.verify(1, first, signers.get(1).sign(first))).isTrue();
    assertThat(signer.verifiedInline()).isEqualTo(1);
    byte[] last = "vote 2".getBytes(StandardCharsets.UTF_8);
    assertThat(signer.verify(1, last, signers.get(1).sign(last))).isTrue();
    assertThat(signer.answeredFromMemory()).isEqualTo(1);
  }

  @Test
  void signingIsTheInnerSignersAndBadArgumentsAreRefused() {
    PreverifiedSigner signer = new PreverifiedSigner(signers.get(1), 4);
    assertThat(signer.self()).isEqualTo(1);
    assertThat(signer.sign(DATA)).isEqualTo(signers.get(1).sign(DATA));
    assertThat(signer.verify(1, DATA, null)).isFalse();
    assertThatThrownBy(() -> new PreverifiedSigner(signers.get(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClientsClaimIsAnsweredOnlyForThatClientAndThoseExactBytes() {
    java.security.KeyPair pair = Ed25519Signer.seededKeyPairs(List.of(9), 77).get(9);
    io.lockstep.machine.ClientId alice = io.lockstep.machine.ClientId.of("alice");
    AtomicInteger calls = new AtomicInteger();
    io.lockstep.request.ClientPublicKeys real =
        io.lockstep.request.ClientPublicKeys.ed25519(Map.of(alice, pair.getPublic()));
    PreverifiedSigner signer = new PreverifiedSigner(signers.get(2), (client, data, s) -> {
      calls.incrementAndGet();
      return real.verify(client, data, s);
    }, 16);
    io.lockstep.request.Request write = io.lockstep.request.Request.command(alice, 1,
        "set x 1".getBytes(StandardCharsets.UTF_8));
    byte[] good = io.lockstep.request.RequestSignature.sign(write, pair.getPrivate());
    SignatureClaim claim = SignatureClaim.ofRequest(write, good);
    assertThat(signer.preverify(claim)).isTrue();
    assertThat(signer.preverify(claim)).as("a second carrier's copy").isTrue();
    assertThat(calls.get()).isEqualTo(1);
    assertThat(signer.clientKeys().verify(alice, claim.data(), good)).isTrue();
    assertThat(signer.answeredFromMemory()).isEqualTo(1);
    // The same bytes and signature as a replica's claim, or as another client's: not remembered.
    assertThat(signer.verify(1, claim.data(), good)).isFalse();
    assertThat(signer.clientKeys().verify(io.lockstep.machine.ClientId.of("alicf"),
        claim.data(), good)).isFalse();
    assertThat(signer.verifiedInline()).isEqualTo(2);
    assertThatThrownBy(() -> new SignatureClaim(SignatureClaim.CLIENT, DATA, good))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SignatureClaim(1, alice, DATA, good))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoThreadsPreverifyingTheSameClaimAtOnceVerifyItOnce() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger verifications = new AtomicInteger();
    PreverifiedSigner signer = new PreverifiedSigner(new Counting(signers.get(2)) {
      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        verifications.incrementAndGet();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.verify(node, data, signature);
      }
    }, 16);
    SignatureClaim claim = new SignatureClaim(1, DATA, signers.get(1).sign(DATA));
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = two.submit(() -> signer.preverify(claim));
      while (verifications.get() == 0) {
        Thread.sleep(1);
      }
      java.util.concurrent.atomic.AtomicReference<Thread> waiter =
          new java.util.concurrent.atomic.AtomicReference<>();
      var second = two.submit(() -> { // a second carrier's copy, while the first is verified
        waiter.set(Thread.currentThread());
        return signer.preverify(claim);
      });
      // Blocked either waiting for the first's verdict or (verifying twice) in the inner signer.
      while (waiter.get() == null || waiter.get().getState() != Thread.State.WAITING) {
        Thread.sleep(1);
      }
      release.countDown();
      assertThat(first.get()).isTrue();
      assertThat(second.get()).isTrue();
    } finally {
      two.shutdownNow();
    }
    assertThat(verifications.get()).isEqualTo(1);
    assertThat(signer.preverified()).isEqualTo(1);
  }

  @Test
  void theRememberedBytesAreBoundedSoLargeRequestsCannotFillTheHeap() {
    AtomicInteger calls = new AtomicInteger();
    PreverifiedSigner signer = new PreverifiedSigner(signers.get(2), (client, data, s) -> {
      calls.incrementAndGet();
      return true;
    }, 100_000);
    byte[] signature = new byte[64];
    int large = PreverifiedSigner.MAX_REMEMBERED_BYTES - 200;
    int fit = (int) (PreverifiedSigner.MAX_TOTAL_BYTES / large);
    for (int i = 0; i <= fit; i++) {
      byte[] data = new byte[large];
      data[0] = (byte) i;
      data[1] = (byte) (i >> 8);
      signer.preverify(new SignatureClaim(SignatureClaim.CLIENT,
          io.lockstep.machine.ClientId.of("c"), data, signature));
    }
    byte[] first = new byte[large];
    signer.clientKeys().verify(io.lockstep.machine.ClientId.of("c"), first, signature);
    assertThat(signer.verifiedInline()).as("the oldest was forgotten for the bytes").isEqualTo(1);
    assertThat(calls.get()).isEqualTo(fit + 2);
  }

  /** Counts the inner signer's verifications. */
  private static class Counting implements Signer {
    final Signer inner;
    final AtomicInteger calls = new AtomicInteger();

    Counting(Signer inner) {
      this.inner = inner;
    }

    @Override
    public int self() {
      return inner.self();
    }

    @Override
    public byte[] sign(byte[] data) {
      return inner.sign(data);
    }

    @Override
    public boolean verify(int node, byte[] data, byte[] signature) {
      calls.incrementAndGet();
      return inner.verify(node, data, signature);
    }
  }
}
