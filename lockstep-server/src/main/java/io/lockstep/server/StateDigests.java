package io.lockstep.server;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.replica.Checkpoint;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Digests the states the loop captures for divergence detection (S1), on a thread of its own,
 * and hands each {@link Checkpoint} on (to the peer port, which compares and sends it).
 *
 * <p>Why not on the loop: a digest streams the whole state through a sort, an encoding and
 * SHA-256. At a state of 46 MB that took the loop of every replica about a second at once, every
 * {@code digest.interval} positions: under PBFT, whose sequence numbers each take a batch's
 * worth of positions, that was every few seconds, long enough for requests to time out and
 * views to change; under Raft, long enough for elections. The loop now only captures the state
 * (references to immutable entries), and this thread makes the pass.
 *
 * <p>At most {@link #MAX_PENDING} captures wait; past that a capture is dropped with a logged
 * reason, which only leaves its position uncompared (the peers count it as such), and its
 * memory is not held. A digest that fails is logged and skipped: divergence detection is an
 * alarm, and the failure would show again in the next snapshot, which does stop the replica.
 */
final class StateDigests implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StateDigests.class.getName());

  /** Captures waiting or being digested, at most; one is taken per digest interval. */
  static final int MAX_PENDING = 2;

  private final int replica;
  private final Consumer<Checkpoint> digested;
  private final AtomicInteger pending = new AtomicInteger();
  private final ExecutorService thread;

  StateDigests(int replica, Consumer<Checkpoint> digested) {
    this.replica = replica;
    this.digested = digested;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lockstep-state-digest-" + replica);
      t.setDaemon(true);
      return t;
    });
  }

  /** Digests {@code captured} later, on this thread; any thread may call it. */
  void submit(CapturedSnapshot captured) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      LOG.log(Level.WARNING, "event=state_digest_dropped replica=" + replica + " position="
          + captured.position() + " reason=\"" + MAX_PENDING
          + " digests already waiting: this position goes uncompared\"");
      return;
    }
    try {
      thread.execute(() -> digest(captured));
    } catch (RejectedExecutionException closing) {
      pending.decrementAndGet();
    }
  }

  private void digest(CapturedSnapshot captured) {
    try {
      digested.accept(Checkpoint.of(captured));
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "event=state_digest_failed replica=" + replica + " position="
          + captured.position() + " reason=\"" + reasons(e) + "\"", e);
    } finally {
      pending.decrementAndGet();
    }
  }

  /** The failure's message and its causes', outermost first. */
  private static String reasons(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append(": ").append(cause.getMessage());
    }
    return text.toString();
  }

  /** Stops the thread; a digest under way is abandoned (it is only an alarm's input). */
  @Override
  public void close() throws InterruptedException {
    thread.shutdownNow();
    thread.awaitTermination(1, TimeUnit.SECONDS);
  }
}
