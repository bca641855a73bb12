package io.lockstep.server;

import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where decoded peer messages enter the loop: the signatures a message carries (the protocol's
 * {@link ProtocolCodec#signatures}) are verified on a small pool first, so the loop thread's
 * core finds each verdict in the {@link PreverifiedSigner} instead of running Ed25519 itself
 * (Byzantine mode verifies signatures off the loop thread). Messages that carry none, which
 * is all of Raft's and most of PBFT's, go straight to the loop. Signatures the core checks
 * only later ({@link ProtocolCodec#signaturesCheckedLater}: clients' signatures inside a
 * classic Byzantine order's batch, and those the client port claims) are verified on the same
 * pool without holding anything back ({@link #precheck}).
 *
 * <p>Each peer's messages still reach the loop in the order they arrived: one waiting on its
 * signatures holds back the same peer's later messages (signed or not) until it is delivered,
 * while the verifications themselves run in parallel. Protocols tolerate reordering, but a view
 * change overtaken by the sender's next message would cost a retransmission period.
 *
 * <p>Bounded like every queue of the runtime: at most {@value #MAX_WAITING} messages wait here;
 * beyond that a message is dropped and counted (the protocols retransmit). If the pool refuses
 * work (it is closing), the message goes on unverified and the core verifies it inline, so
 * nothing is lost and no verdict is ever assumed.
 */
final class SignatureIntake implements AutoCloseable {
  /** The kind counted for a client's signature over its request (checked later). */
  static final String CLIENT_REQUEST = "SignedRequest";
  /**
   * Signature verdicts a replica remembers: far more than the signed messages of a few PBFT
   * windows, and than the client-signed requests of the t+2 rounds between a request's arrival
   * and its decision in a classic Byzantine order (at most each replica's 1,024-request batch a
   * round).
   */
  static final int VERDICTS = 16_384;
  /** Most messages waiting for their own or an earlier message's signatures. */
  static final int MAX_WAITING = 4096;
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final System.Logger LOG = System.getLogger(SignatureIntake.class.getName());

  private final ProtocolCodec codec;
  private final PreverifiedSigner signer;
  private final BiConsumer<Integer, ProtocolMessage> loop;
  private final Consumer<String> dropped;
  private final BiConsumer<String, Boolean> counted;
  private final ThreadPoolExecutor pool;
  /** Per peer, the delivery of its latest held-back message; guarded by {@code this}. */
  private final Map<Integer, CompletableFuture<Void>> tails = new HashMap<>();
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * @param replica this replica's id, for thread names
   * @param threads verification threads
   * @param loop hands a message to the loop's queue (never blocks)
   * @param dropped counts a dropped message with its reason
   */
  SignatureIntake(int replica, ProtocolCodec codec, PreverifiedSigner signer, int threads,
      BiConsumer<Integer, ProtocolMessage> loop, Consumer<String> dropped) {
    this(replica, codec, signer, threads, loop, dropped, (kind, verified) -> { });
  }

  /**
   * As above, also telling {@code counted} of every claim checked: the kind of message that
   * carried it (its class's simple name, e.g. {@code CheckpointVote}) and whether Ed25519 ran
   * for it ({@code false}: its verdict was remembered, e.g. a retransmission's).
   */
  SignatureIntake(int replica, ProtocolCodec codec, PreverifiedSigner signer, int threads,
      BiConsumer<Integer, ProtocolMessage> loop, Consumer<String> dropped,
      BiConsumer<String, Boolean> counted) {
    this.counted = Objects.requireNonNull(counted, "counted");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.dropped = Objects.requireNonNull(dropped, "dropped");
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(MAX_WAITING * 4), r -> {
          Thread thread = new Thread(r, "lockstep-verify-" + replica + "-" + n.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Whether the pre-check runs: on unless {@code LOCKSTEP_SIGNATURE_PRECHECK=off} is in the
   * environment, which sends every message straight to the loop (the core then verifies inline,
   * as before the pre-check existed), to measure what the pre-check buys.
   */
  static boolean enabled(String environmentValue) {
    return !"off".equalsIgnoreCase(environmentValue);
  }

  /**
   * Threads for a machine with {@code cores}: two at most, since the loop, the I/O threads and
   * the log thread need the rest of a small machine, and one at least.
   */
  static int threadsFor(int cores) {
    return Math.max(1, Math.min(2, cores));
  }

  /** From an I/O thread: a decoded message from {@code from}. */
  void offer(int from, ProtocolMessage message) {
    precheck(codec.signaturesCheckedLater(from, message));
    List<SignatureClaim> claims = codec.signatures(from, message);
    synchronized (this) {
      CompletableFuture<Void> tail = tails.get(from);
      if (claims.isEmpty() && (tail == null || tail.isDone())) {
        tails.remove(from);
        deliver(from, message);
        return;
      }
      if (waiting.get() >= MAX_WAITING) {
        dropped.accept("signature checks backlogged");
        return;
      }
      waiting.incrementAndGet();
      CompletableFuture<Void> checked =
          claims.isEmpty() ? DONE : check(message.getClass().getSimpleName(), claims);
      tails.put(from, (tail == null ? DONE : tail).thenCombine(checked, (a, b) -> b)
          .thenRun(() -> {
            deliver(from, message);
            waiting.decrementAndGet();
          }));
    }
  }

  /**
   * Verifies {@code claims} on the pool without holding anything back: the core checks them
   * only later (a client's signature over a request, when the batch carrying it is decided), so
   * the message or request goes on at once and the core finds the verdict if it is ready by
   * then, else verifies inline. Claims past half the pool's queue are left to the core, so they
   * never crowd out the claims that messages wait for.
   */
  void precheck(List<SignatureClaim> claims) {
    for (SignatureClaim claim : claims) {
      if (pool.getQueue().remainingCapacity() < MAX_WAITING * 2) {
        return;
      }
      try {
        pool.execute(() -> preverify(CLIENT_REQUEST, claim));
      } catch (RejectedExecutionException e) {
        return; // closing: the core verifies inline
      }
    }
  }

  /** Messages waiting here now (for tests). */
  int waiting() {
    return waiting.get();
  }

  /** Each claim verified on the pool, all at once; never completes exceptionally. */
  private CompletableFuture<Void> check(String kind, List<SignatureClaim> claims) {
    List<CompletableFuture<Void>> each = new ArrayList<>(claims.size());
    for (SignatureClaim claim : claims) {
      try {
        each.add(CompletableFuture.runAsync(() -> preverify(kind, claim), pool));
      } catch (RejectedExecutionException e) {
        // Closing: the core verifies this claim inline.
      }
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null);
  }

  private void preverify(String kind, SignatureClaim claim) {
    try {
      signer.preverify(claim, ran -> counted.accept(kind, ran));
    } catch (RuntimeException e) {
      // No verdict remembered: the core verifies inline and decides; nothing is assumed.
      LOG.log(System.Logger.Level.WARNING, "event=signature_precheck_failed signer="
          + (claim.client() == null ? claim.signer() : claim.client()) + " reason=\"" + e
          + "\"");
    }
  }

  private void deliver(int from, ProtocolMessage message) {
    try {
      loop.accept(from, message);
    } catch (RuntimeException e) {
      // The loop's offer does not throw; if it ever did, later messages must still flow.
      LOG.log(System.Logger.Level.ERROR, "event=peer_message_not_delivered from=" + from
          + " reason=\"" + e + "\"");
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
