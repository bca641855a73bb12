package io.lockstep.identity;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

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
  private final Map<ByteBuffer, Boolean> verdicts;
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
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
        return size() > PreverifiedSigner.this.capacity;
      }
    };
  }

  /**
   * Verifies {@code claim} now, on the calling thread, and remembers the verdict; a claim whose
   * verdict is remembered already is not verified again. Retransmissions repeat the same signed
   * messages (a view change every retransmission period while views change, carrying the same
   * checkpoint votes), so without this the pre-check would redo work the core skips.
   */
  public boolean preverify(SignatureClaim claim) {
    ByteBuffer key = key(claim.signer(), claim.data(), claim.signature());
    if (key != null) {
      Boolean known;
      synchronized (verdicts) {
        known = verdicts.get(key);
      }
      if (known != null) {
        return known;
      }
    }
    boolean verdict = inner.verify(claim.signer(), claim.data(), claim.signature());
    preverified.incrementAndGet();
    if (key != null) {
      synchronized (verdicts) {
        verdicts.put(key, verdict);
      }
    }
    return verdict;
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
    ByteBuffer key = key(node, data, signature);
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
   * The lookup key: the node, the data's length (so data and signature cannot trade bytes) and
   * both byte arrays, copied so a caller changing its array later changes nothing here.
   */
  private static ByteBuffer key(int node, byte[] data, byte[] signature) {
    long size = 8L + data.length + signature.length;
    if (size > MAX_REMEMBERED_BYTES) {
      return null;
    }
    return ByteBuffer.allocate((int) size).putInt(node).putInt(data.length).put(data)
        .put(signature).flip();
  }
}
