package io.lockstep.server;

import java.util.ArrayDeque;

/**
 * At most {@link #LIMIT} writes of one client session in flight; later ones wait here, in
 * order, until an earlier one has its outcome.
 *
 * <p>Why: the executor keeps at most its window ({@code ExecutorConfig.maxPendingPerClient},
 * 64 by default) of a session's requests that wait for an earlier one (O1) and refuses more
 * as busy. When an overloaded replica refuses one request and later ones overtake its retry,
 * a session with hundreds in flight overflows that window; each refused request is retried
 * through the log, and those retries crowd out the one request everything waits for, until
 * the request timeout. With at most {@code LIMIT} in flight, at most {@code LIMIT - 1} can wait,
 * so the window never overflows because of this client's own pipelining. Used by the Redis
 * bridge for each connection and by {@link io.lockstep.client.LockstepClient} for each
 * session. Thread-safe.
 */
public final class SessionWindow {
  /** Writes of one session in flight at once: one less than this may wait in the executor. */
  public static final int LIMIT = 64;

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;
  private volatile boolean opened;

  /** The executor answered a request of this session: the session exists there. */
  public void opened() {
    opened = true;
  }

  /**
   * Whether the executor has answered any request of this session yet. Until it has, an
   * "unknown session" answer to a later request only means the first one (which opens the
   * session) was refused busy and overtaken: nothing ran, so the answer is busy, not final.
   */
  public boolean isOpened() {
    return opened;
  }

  /** Runs {@code start} now if the window has room, else when an earlier write completes. */
  public void admit(Runnable start) {
    synchronized (this) {
      if (inFlight >= LIMIT) {
        waiting.add(start);
        return;
      }
      inFlight++;
    }
    start.run();
  }

  /** A write of this session has its outcome: the next waiting one starts. */
  public void completed() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
        return;
      }
    }
    next.run();
  }

  /** Writes in flight now (for tests). */
  public synchronized int inFlight() {
    return inFlight;
  }
}
