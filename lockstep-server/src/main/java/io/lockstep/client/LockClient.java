package io.lockstep.client;

import io.lockstep.server.lock.LockCodec;
import io.lockstep.server.lock.LockService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The paper's lock service with time-outs (§5.2, {@link LockService}) over a
 * {@link ClientSession}: {@code acquire}, {@code release} and the linearizable {@code holder}
 * query on named locks.
 *
 * <p>Semantics, all decided by the replicated state machine in agreed time (never this
 * client's clock):
 * <ul>
 *   <li>{@code acquire(name, hold)} grants a free lock at once, otherwise queues this session
 *       behind the holder (FIFO). Acquiring a lock one already holds or waits for changes
 *       nothing (the hold time is not extended).
 *   <li>Every grant — first grant and every hand-over — schedules its own time-out {@code hold}
 *       later: a holder that has not released by then loses the lock to the next waiter. The
 *       lock protects nothing after that; the holder is not told (paper §5.2).
 *   <li>{@code release(name)} by the holder hands the lock on; by a waiter it withdraws the
 *       waiter from the queue; anyone else is refused with {@link RejectedException}.
 * </ul>
 *
 * <p>The session is the lock owner: two {@code LockClient}s over one session are one owner.
 * Use one session per owner (a {@link LockstepClient} or {@link LockstepClient#newSession()}),
 * and preferably one request at a time per session, so that the lock's state after each
 * answer is the one this owner expects.
 *
 * <p>Waiting ({@link #acquireAsync(String, Duration, Duration)}) polls {@code holder} every
 * {@value #POLL_MILLIS} ms on a timer thread (its own, daemon, started on first use, or one
 * given to the constructor), never on the common pool. Futures complete on the session's
 * threads or that timer thread: keep dependent stages short.
 */
public final class LockClient implements AutoCloseable {
  /** How often a waiting acquire asks whether this session holds the lock yet. */
  public static final long POLL_MILLIS = 20;

  private final ClientSession client;
  private final ScheduledExecutorService givenTimer;
  private ScheduledThreadPoolExecutor ownTimer;
  private boolean closed;

  /** Wraps a session; closing this closes it if it is a {@link LockstepClient}. */
  public LockClient(ClientSession client) {
    this.client = Objects.requireNonNull(client, "client");
    this.givenTimer = null;
  }

  /** Wraps a session and polls on {@code timer}, which {@link #close()} leaves running. */
  public LockClient(ClientSession client, ScheduledExecutorService timer) {
    this.client = Objects.requireNonNull(client, "client");
    this.givenTimer = Objects.requireNonNull(timer, "timer");
  }

  /** The underlying session: the lock owner. */
  public ClientSession client() {
    return client;
  }

  /**
   * {@code acquire(name)} asking to hold the lock at most {@code hold} of agreed time: the state
   * afterwards, {@link LockCodec.State#held()} if granted, else this session's queue position.
   *
   * @throws IllegalArgumentException for a bad name or hold time
   */
  public CompletableFuture<LockCodec.State> acquireAsync(String name, Duration hold) {
    byte[] command = LockCodec.acquire(checkName(name), holdMillis(hold));
    return client.submit(command).thenApply(LockCodec::decodeState);
  }

  /**
   * Acquires and, if queued, waits until this session holds the lock, polling {@code holder}.
   * Completes with the granted state, or with a {@link TimeoutException} once {@code wait}
   * (counted from this call) has passed while queued. The answer to the acquire request itself
   * always counts, so {@code Duration.ZERO} means "only if granted at once".
   *
   * <p>On a time-out the request is withdrawn (a {@code release}, which takes a waiter out of the
   * queue, or gives the lock back if it was granted at the last moment) before the future
   * fails, so a caller that gives up never holds the lock afterwards. If the withdrawal itself
   * gets no answer, the {@link TimeoutException}'s message says so.
   *
   * <p>If the grant's hold time passes before a poll sees it (a hold shorter than the poll
   * interval), the future fails with a {@link LockstepException} saying so.
   *
   * @throws IllegalArgumentException for a bad name, hold or negative wait
   */
  public CompletableFuture<LockCodec.State> acquireAsync(String name, Duration hold,
      Duration wait) {
    checkName(name);
    holdMillis(hold);
    long waitNanos = waitNanos(wait);
    ScheduledExecutorService timer = timer();
    // The first of: the grant seen, a failure, the time-out. Only a time-out that wins this
    // race withdraws the request, so a grant already handed to the caller is never released.
    CompletableFuture<LockCodec.State> granted = new CompletableFuture<>();
    CompletableFuture<LockCodec.State> answered = new CompletableFuture<>();
    granted.whenComplete((state, error) -> {
      if (error instanceof TimeoutException timeout) {
        withdraw(name, timeout, answered);
      } else if (error != null) {
        answered.completeExceptionally(error);
      } else {
        answered.complete(state);
      }
    });
    long deadline = System.nanoTime() + waitNanos;
    acquireAsync(name, hold).whenComplete((state, error) -> {
      if (error != null) {
        granted.completeExceptionally(unwrap(error));
        return;
      }
      // The answer to the acquire itself always counts, however short the wait: a wait of 0
      // means "only if granted at once".
      if (!state.held() && state.callerPosition() > 0) {
        startTimeout(name, deadline, waitNanos, timer, granted);
      }
      awaitGrant(name, state, deadline, timer, granted);
    });
    return answered;
  }

  /** Takes a timed-out request back out of the queue, then reports the time-out. */
  private void withdraw(String name, TimeoutException timeout,
      CompletableFuture<LockCodec.State> answered) {
    CompletableFuture<LockCodec.State> release;
    try {
      release = releaseAsync(name);
    } catch (RuntimeException e) {
      release = CompletableFuture.failedFuture(e);
    }
    // Refused means this session neither holds nor waits for the lock: nothing to withdraw.
    release.whenComplete((state, error) -> answered.completeExceptionally(
        error == null || unwrap(error) instanceof RejectedException ? timeout
            : new TimeoutException(timeout.getMessage() + "; withdrawing the request failed ("
                + unwrap(error).getMessage() + "), so it may still be granted later")));
  }

  private static void startTimeout(String name, long deadline, long waitNanos,
      ScheduledExecutorService timer, CompletableFuture<LockCodec.State> granted) {
    String message = "lock " + name + " not acquired within "
        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms; the request was withdrawn";
    try {
      ScheduledFuture<?> timeout = timer.schedule(
          () -> granted.completeExceptionally(new TimeoutException(message)),
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      granted.whenComplete((state, error) -> timeout.cancel(false));
    } catch (RejectedExecutionException e) {
      granted.completeExceptionally(new LockstepException("the lock client is closed"));
    }
  }

  /** One step of the wait: done if held, a clear failure if the grant was missed, else poll. */
  private void awaitGrant(String name, LockCodec.State state, long deadline,
      ScheduledExecutorService timer, CompletableFuture<LockCodec.State> granted) {
    if (granted.isDone()) {
      return;
    }
    if (state.held()) {
      granted.complete(state);
    } else if (state.callerPosition() < 0) {
      granted.completeExceptionally(new LockstepException("lock " + name + " was granted to "
          + client.clientId() + " but its hold time passed before the client saw the grant;"
          + " ask for a hold longer than " + POLL_MILLIS + " ms"));
    } else if (System.nanoTime() - deadline < 0) {
      try {
        timer.schedule(() -> holderAsync(name).whenComplete((next, error) -> {
          if (error != null) {
            granted.completeExceptionally(unwrap(error));
          } else {
            awaitGrant(name, next, deadline, timer, granted);
          }
        }), POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        granted.completeExceptionally(new LockstepException("the lock client is closed"));
      }
    }
  }

  /**
   * {@code release(name)}: hands the lock on if this session holds it, takes this session out
   * of the queue if it waits; refused with {@link RejectedException} otherwise.
   */
  public CompletableFuture<LockCodec.State> releaseAsync(String name) {
    return client.submit(LockCodec.release(checkName(name))).thenApply(LockCodec::decodeState);
  }

  /** The lock's state as this session sees it: a linearizable read through the leader. */
  public CompletableFuture<LockCodec.State> holderAsync(String name) {
    return client.query(LockCodec.holder(checkName(name))).thenApply(LockCodec::decodeState);
  }

  /** Blocking {@link #acquireAsync(String, Duration)}: granted now, or queued. */
  public LockCodec.State acquire(String name, Duration hold) {
    return join(acquireAsync(name, hold));
  }

  /**
   * Blocking {@link #acquireAsync(String, Duration, Duration)}: returns once this session holds
   * the lock.
   *
   * @throws TimeoutException if {@code wait} passed first (the request was withdrawn: see there)
   * @throws InterruptedException if interrupted while waiting (the request stays queued until
   *     {@code wait} passes, and is withdrawn then)
   */
  public LockCodec.State acquire(String name, Duration hold, Duration wait)
      throws TimeoutException, InterruptedException {
    CompletableFuture<LockCodec.State> granted = acquireAsync(name, hold, wait);
    try {
      return granted.get();
    } catch (InterruptedException e) {
      granted.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException t) {
        throw new TimeoutException(t.getMessage());
      }
      throw rethrow(e.getCause());
    }
  }

  /** Blocking {@link #releaseAsync}. */
  public LockCodec.State release(String name) {
    return join(releaseAsync(name));
  }

  /** Blocking {@link #holderAsync}. */
  public LockCodec.State holder(String name) {
    return join(holderAsync(name));
  }

  /** Stops this client's own timer, and closes the session if it is a {@link LockstepClient}. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (ownTimer != null) {
        ownTimer.shutdownNow();
      }
    }
    if (client instanceof LockstepClient c) {
      c.close();
    }
  }

  private synchronized ScheduledExecutorService timer() {
    if (givenTimer != null) {
      return givenTimer;
    }
    if (closed) {
      throw new IllegalStateException("the lock client is closed");
    }
    if (ownTimer == null) {
      ownTimer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "lockstep-lock-timer");
        t.setDaemon(true);
        return t;
      });
      ownTimer.setRemoveOnCancelPolicy(true);
    }
    return ownTimer;
  }

  /** Checks a lock name as {@link LockCodec} will: non-empty, at most its UTF-8 byte limit. */
  static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a lock needs a non-empty name");
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > LockCodec.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("lock name is " + bytes + " UTF-8 bytes, the limit is "
          + LockCodec.MAX_NAME_BYTES);
    }
    return name;
  }

  /** The hold time in whole milliseconds, 1 ms to {@link LockService#MAX_HOLD_MILLIS}. */
  static long holdMillis(Duration hold) {
    Objects.requireNonNull(hold, "hold");
    if (hold.compareTo(Duration.ofMillis(1)) < 0
        || hold.compareTo(Duration.ofMillis(LockService.MAX_HOLD_MILLIS)) > 0) {
      throw new IllegalArgumentException("hold time must be 1 ms to "
          + LockService.MAX_HOLD_MILLIS + " ms (one day), was " + hold);
    }
    return hold.toMillis();
  }

  /** The wait in nanoseconds, capped at about 146 years (beyond that, waiting is forever). */
  private static long waitNanos(Duration wait) {
    Objects.requireNonNull(wait, "wait");
    if (wait.isNegative()) {
      throw new IllegalArgumentException("wait must not be negative, was " + wait);
    }
    Duration cap = Duration.ofNanos(Long.MAX_VALUE >> 1);
    return wait.compareTo(cap) > 0 ? cap.toNanos() : wait.toNanos();
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw rethrow(e.getCause());
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    throw new LockstepException(String.valueOf(cause));
  }
}
