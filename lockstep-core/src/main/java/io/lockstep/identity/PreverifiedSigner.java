package io.lockstep.identity;

import io.lockstep.machine.ClientId;
import io.lockstep.request.ClientPublicKeys;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A {@link Signer} that remembers verdicts computed ahead of time, so a protocol core's
 * {@link #verify} finds the answer instead of running Ed25519 on its own (loop) thread. The same
 * holds for clients' signatures over their requests: the core checks those through {@link
 * #clientKeys()}, a {@link ClientPublicKeys} answered from the same memory.
 *
 * <p>The runtime calls {@link #preverify} for each {@link SignatureClaim} of a received message
 * (or of a client's signed request) on a verification thread, then hands the message to the
 * loop; the core verifies as it always did and gets the remembered verdict. The verdict is the
 * inner verifier's own answer for exactly these bytes (the key is signer or client, data and
 * signature, byte for byte), so the core decides the same either way: a forged signature is
 * still false and the core still drops the message with its reason. A claim that was never
 * pre-verified, or whose verdict was evicted, is verified inline: the pre-check only moves
 * work, it is never needed for a correct answer.
 *
 * <p>Thread-safe: any number of threads may pre-verify while the loop verifies. Signing is the
 * inner signer's and stays on the caller's thread.
 */
public final class PreverifiedSigner implements Signer {
  /** Claims larger than this are not remembered (a huge key would cost more memory than time). */
  static final int MAX_REMEMBERED_BYTES = 64 * 1024;
  /**
   * Most bytes all remembered keys hold together: clients' claims carry their commands, so the
   * count alone would let large requests fill the heap.
   */
  static final long MAX_TOTAL_BYTES = 32L << 20;

  private final Signer inner;
  private final ClientPublicKeys clients;
  private final int capacity;
  /** Least recently used first; guarded by itself, as is {@link #totalBytes}. */
  private final LinkedHashMap<Key, Boolean> verdicts =
      new LinkedHashMap<>(16, 0.75f, true);
  private long totalBytes;
  /** Claims being verified now, by key; guarded by {@link #verdicts}. */
  private final Map<Key, CompletableFuture<Boolean>> inFlight = new HashMap<>();
  private final AtomicLong preverified = new AtomicLong();
  private final AtomicLong remembered = new AtomicLong();
  private final AtomicLong inline = new AtomicLong();

  /**
   * @param inner the signer that really verifies (thread-safe, as {@link Ed25519Signer} is)
   * @param clients the clients' keys that really verify their request signatures (thread-safe,
   *     as {@link ClientPublicKeys#ed25519} is)
   * @param capacity most verdicts remembered; the least recently used go first
   */
  public PreverifiedSigner(Signer inner, ClientPublicKeys clients, int capacity) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.clients = Objects.requireNonNull(clients, "clients");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** Without client keys: every client signature verifies false ({@link ClientPublicKeys#none}). */
  public PreverifiedSigner(Signer inner, int capacity) {
    this(inner, ClientPublicKeys.none(), capacity);
  }

  /**
   * Verifies {@code claim} now, on the calling thread, and remembers the verdict; a claim whose
   * verdict is remembered already is not verified again, and one another thread is verifying
   * now waits for that thread's verdict. Retransmissions repeat the same signed
   * messages (a view change every retransmission period while views change, carrying the same
   * checkpoint votes), and a client's signed request reaches a replica from its client and again
   * in every carrier's batch and relay, so without this the pre-check would redo work.
   */
  public boolean preverify(SignatureClaim claim) {
    return preverify(claim, ran -> { });
  }

  /**
   * As {@link #preverify(SignatureClaim)}, telling {@code ran} whether this call ran the inner
   * verifier ({@code false}: the verdict was remembered, or another thread's was awaited).
   */
  public boolean preverify(SignatureClaim claim, Consumer<Boolean> ran) {
    Key key = key(claim);
    if (key == null) {
      ran.accept(true);
      return verifyNow(claim);
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> theirs;
    Key owned;
    synchronized (verdicts) {
      Boolean known = verdicts.get(key);
      if (known != null) {
        ran.accept(false);
        return known;
      }
      owned = key.copy(); // the caller's arrays may change after this call
      theirs = inFlight.putIfAbsent(owned, mine);
    }
    ran.accept(theirs == null);
    if (theirs != null) {
      // Another thread verifies these exact bytes now (two carriers' copies at once, or the
      // same checkpoint vote in each view change a new view carries): wait for its verdict
      // rather than verify twice.
      return theirs.join();
    }
    try {
      boolean verdict = verifyNow(claim);
      remember(owned, verdict);
      mine.complete(verdict);
      return verdict;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      synchronized (verdicts) {
        inFlight.remove(key);
      }
    }
  }

  /**
   * Whether a verdict for exactly {@code claim} is remembered now or being reached by another
   * thread, so {@link #preverify} would answer it without running the inner verifier (a
   * moment's answer: another thread may add or evict the verdict right after).
   */
  public boolean remembers(SignatureClaim claim) {
    Key key = key(claim);
    if (key == null) {
      return false;
    }
    synchronized (verdicts) {
      return verdicts.containsKey(key) || inFlight.containsKey(key);
    }
  }

  private boolean verifyNow(SignatureClaim claim) {
    boolean verdict = claim.client() == null
        ? inner.verify(claim.signer(), claim.data(), claim.signature())
        : clients.verify(claim.client(), claim.data(), claim.signature());
    preverified.incrementAndGet();
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
    return answer(Key.replica(node, data, signature),
        () -> inner.verify(node, data, signature));
  }

  /**
   * The clients' keys as the core should check them: each answer is the remembered verdict of
   * a pre-verified {@link SignatureClaim#ofRequest} claim with these exact bytes, else the
   * inner keys' own answer computed now (counted as inline).
   */
  public ClientPublicKeys clientKeys() {
    return this::verifyClient;
  }

  private boolean verifyClient(ClientId client, byte[] data, byte[] signature) {
    if (client == null || data == null || signature == null) {
      return false;
    }
    return answer(Key.client(client, data, signature),
        () -> clients.verify(client, data, signature));
  }

  /** The remembered verdict for {@code key}, else {@code now}'s, computed on this thread. */
  private boolean answer(Key key, BooleanSupplier now) {
    Boolean verdict = recall(key);
    if (verdict != null) {
      remembered.incrementAndGet();
      return verdict;
    }
    inline.incrementAndGet();
    return now.getAsBoolean();
  }

  /**
   * Forgets every remembered verdict: the inner signer's keys changed (a replica's key was
   * recorded), so a signature refused for want of a key would otherwise stay refused.
   */
  public void forgetVerdicts() {
    synchronized (verdicts) {
      verdicts.clear();
      totalBytes = 0;
    }
  }

  /** Claims verified by {@link #preverify} so far (repeats of a remembered claim not counted). */
  public long preverified() {
    return preverified.get();
  }

  /** Calls of {@link #verify} (and of {@link #clientKeys()}) answered from a verdict. */
  public long answeredFromMemory() {
    return remembered.get();
  }

  /** Calls of {@link #verify} (and of {@link #clientKeys()}) that ran on the caller's thread. */
  public long verifiedInline() {
    return inline.get();
  }

  private Boolean recall(Key key) {
    if (key == null) {
      return null;
    }
    synchronized (verdicts) {
      return verdicts.get(key);
    }
  }

  /**
   * Remembers a verdict under {@code owned} (a key whose arrays no caller holds), forgetting the
   * least recently used beyond the count or the bytes.
   */
  private void remember(Key owned, boolean verdict) {
    synchronized (verdicts) {
      if (verdicts.put(owned, verdict) == null) {
        totalBytes += owned.size();
      }
      Iterator<Key> eldest = verdicts.keySet().iterator();
      while (verdicts.size() > capacity || totalBytes > MAX_TOTAL_BYTES) {
        totalBytes -= eldest.next().size();
        eldest.remove();
      }
    }
  }

  private static Key key(SignatureClaim claim) {
    return claim.client() == null
        ? Key.replica(claim.signer(), claim.data(), claim.signature())
        : Key.client(claim.client(), claim.data(), claim.signature());
  }

  /**
   * A claim's signer (a replica's node, or a client), data and signature, equal only byte for
   * byte. A lookup refers to the caller's arrays and copies nothing; a remembered key is a
   * {@link #copy}, so a caller changing its array later changes nothing here. The hash covers
   * the signer, the data's length and the signature, not the data: a signature already differs
   * with the data it signs, and a view change's signed bytes run to kilobytes, which every
   * retransmission would otherwise hash byte by byte before finding its verdict.
   */
  private static final class Key {
    private final int node;
    private final ClientId client;
    private final byte[] data;
    private final byte[] signature;
    private final int hash;

    private Key(int node, ClientId client, byte[] data, byte[] signature) {
      this.node = node;
      this.client = client;
      this.data = data;
      this.signature = signature;
      this.hash = ((31 * node + Objects.hashCode(client)) * 31 + data.length) * 31
          + Arrays.hashCode(signature);
    }

    /** A replica's key, or null if too large to remember. */
    static Key replica(int node, byte[] data, byte[] signature) {
      return fits(0, data, signature) ? new Key(node, null, data, signature) : null;
    }

    /** A client's key (node -1, never a replica's), or null if too large to remember. */
    static Key client(ClientId client, byte[] data, byte[] signature) {
      return fits(client.value().length(), data, signature)
          ? new Key(-1, client, data, signature) : null;
    }

    private static boolean fits(int idLength, byte[] data, byte[] signature) {
      return 8L + idLength + data.length + signature.length <= MAX_REMEMBERED_BYTES;
    }

    Key copy() {
      return new Key(node, client, data.clone(), signature.clone());
    }

    long size() {
      return 8L + (client == null ? 0 : client.value().length()) + data.length + signature.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && node == k.node && Objects.equals(client, k.client)
          && Arrays.equals(signature, k.signature) && Arrays.equals(data, k.data);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
