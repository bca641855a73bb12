package io.lockstep.identity;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link Signer} that remembers verdicts computed ahead of time, so a protocol core's
 * {@link #verify} finds the answer instead of running Ed25519 on its own (loop) thread.
 *
 * <p>The runtime calls {@link #preverify} for each {@link SignatureClaim} of a received message
 * on a verification thread, then hands the message to the loop; the core verifies as it always
 * did and gets the remembered verdict. The verdict is the inner signer's own answer for exactly
 * these bytes (the key is signer, data and signature, byte for byte), so the core decides the
 * same either way: a forged signature is still false and the core still drops the message with
 * its reason. A claim that was never pre-verified, or whose verdict was evicted, is verified
 * inline: the pre-check only moves work, it is never needed for a correct answer.
 *
 * <p>Thread-safe: any number of threads may pre-verify while the loop verifies. Signing is the
 * inner signer's and stays on the caller's thread.
 */
public final class PreverifiedSigner implements Signer {
  /** Claims larger than this are not remembered (a huge key would cost more memory than time). */
  static final int MAX_REMEMBERED_BYTES = 64 * 1024;

  private final Signer inner;
  private final int capacity;
  private final Map<Key, Boolean> verdicts;
  /** Claims some thread is verifying now, with the verdict to come; guarded by verdicts. */
  private final Map<Key, CompletableFuture<Boolean>> inFlight = new HashMap<>();
  private final AtomicLong preverified = new AtomicLong();
  private final AtomicLong remembered = new AtomicLong();
  private final AtomicLong inline = new AtomicLong();

  /**
   * @param inner the signer that really verifies (thread-safe, as {@link Ed25519Signer} is)
   * @param capacity most verdicts remembered; the least recently used go first
   */
  public PreverifiedSigner(Signer inner, int capacity) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.verdicts = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
        return size() > PreverifiedSigner.this.capacity;
      }
    };
  }

  /**
   * Verifies {@code claim} now, on the calling thread, and remembers the verdict; a claim whose
   * verdict is remembered already is not verified again. Retransmissions repeat the same signed
   * messages (a view change every retransmission period while views change, carrying the same
   * checkpoint votes), so without this the pre-check would redo work the core skips. A claim
   * being verified by another thread right now (the same vote in each view change a new view
   * carries, or a copy that arrived while the first was checked) waits for that verdict
   * instead of running Ed25519 a second time.
   */
  public boolean preverify(SignatureClaim claim) {
    return preverify(claim, ran -> { });
  }

  /**
   * As {@link #preverify(SignatureClaim)}, telling {@code ran} whether this call ran the inner
   * signer ({@code false}: the verdict was remembered, or another thread's was awaited).
   */
  public boolean preverify(SignatureClaim claim, Consumer<Boolean> ran) {
    Key key = key(claim.signer(), claim.data(), claim.signature());
    if (key == null) {
      preverified.incrementAndGet();
      ran.accept(true);
      return inner.verify(claim.signer(), claim.data(), claim.signature());
    }
    CompletableFuture<Boolean> running;
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    synchronized (verdicts) {
      Boolean known = verdicts.get(key);
      if (known != null) {
        ran.accept(false);
        return known;
      }
      running = inFlight.putIfAbsent(key.copy(), mine);
    }
    ran.accept(running == null);
    if (running != null) {
      return running.join(); // the verifying thread's verdict, or its exception
    }
    try {
      boolean verdict = inner.verify(claim.signer(), claim.data(), claim.signature());
      preverified.incrementAndGet();
      synchronized (verdicts) {
        verdicts.put(key.copy(), verdict);
        inFlight.remove(key);
      }
      mine.complete(verdict);
      return verdict;
    } catch (RuntimeException e) {
      synchronized (verdicts) {
        inFlight.remove(key);
      }
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Whether a verdict for exactly {@code claim} is remembered now or being reached by another
   * thread, so {@link #preverify} would answer it without running the inner signer (a moment's
   * answer: another thread may add or evict the verdict right after).
   */
  public boolean remembers(SignatureClaim claim) {
    Key key = key(claim.signer(), claim.data(), claim.signature());
    if (key == null) {
      return false;
    }
    synchronized (verdicts) {
      return verdicts.containsKey(key) || inFlight.containsKey(key);
    }
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
    if (data == null || signature == null) {
      return false;
    }
    Key key = key(node, data, signature);
    if (key != null) {
      Boolean verdict;
      synchronized (verdicts) {
        verdict = verdicts.get(key);
      }
      if (verdict != null) {
        remembered.incrementAndGet();
        return verdict;
      }
    }
    inline.incrementAndGet();
    return inner.verify(node, data, signature);
  }

  /**
   * Forgets every remembered verdict: the inner signer's keys changed (a replica's key was
   * recorded), so a signature refused for want of a key would otherwise stay refused.
   */
  public void forgetVerdicts() {
    synchronized (verdicts) {
      verdicts.clear();
    }
  }

  /** Claims verified by {@link #preverify} so far (repeats of a remembered claim not counted). */
  public long preverified() {
    return preverified.get();
  }

  /** Calls of {@link #verify} answered from a remembered verdict. */
  public long answeredFromMemory() {
    return remembered.get();
  }

  /** Calls of {@link #verify} that had to run the inner signer on the caller's thread. */
  public long verifiedInline() {
    return inline.get();
  }

  /**
   * The lookup key of a claim, or null if it is too large to remember. It refers to the caller's
   * arrays, so a lookup copies nothing; a remembered key is a {@link Key#copy}, so a caller
   * changing its array later changes nothing here.
   */
  private static Key key(int node, byte[] data, byte[] signature) {
    if (8L + data.length + signature.length > MAX_REMEMBERED_BYTES) {
      return null;
    }
    return new Key(node, data, signature);
  }

  /**
   * A claim's node, data and signature, equal only byte for byte. The hash covers the node, the
   * data's length and the signature, not the data: a signature already differs with the data it
   * signs, and a view change's signed bytes run to kilobytes, which every retransmission would
   * otherwise hash byte by byte before finding its verdict. Equality still compares everything.
   */
  private static final class Key {
    private final int node;
    private final byte[] data;
    private final byte[] signature;
    private final int hash;

    Key(int node, byte[] data, byte[] signature) {
      this.node = node;
      this.data = data;
      this.signature = signature;
      this.hash = (31 * node + data.length) * 31 + Arrays.hashCode(signature);
    }

    Key copy() {
      return new Key(node, data.clone(), signature.clone());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && node == k.node && Arrays.equals(signature, k.signature)
          && Arrays.equals(data, k.data);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
