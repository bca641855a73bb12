package io.lockstep.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte budget of client questions (requests and reads) waiting in a replica's loop queue.
 * The queue bounds events, not bytes, and 50,000 requests of up to 1 MiB would be 50 GiB: this
 * bounds their bytes too (all queues are bounded). Safe for any thread.
 */
final class QuestionBudget {
  /** Rough heap cost of a queued question besides its payload (event, request, origin). */
  private static final long OVERHEAD_BYTES = 128;

  private final AtomicLong queued = new AtomicLong();
  private volatile long budget = Long.MAX_VALUE;

  /** Sets the budget in bytes (positive). */
  void budget(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("the loop's client byte budget must be positive");
    }
    this.budget = bytes;
  }

  long budget() {
    return budget;
  }

  /** Bytes of questions queued now. */
  long queued() {
    return queued.get();
  }

  /**
   * Reserves a question's bytes; false (nothing reserved) when the budget would overflow. One
   * question is always admitted into an empty budget, so a command larger than the budget is
   * slow, never refused for ever.
   */
  boolean reserve(long bytes) {
    long after = queued.addAndGet(bytes);
    if (after > budget && after != bytes) {
      queued.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #reserve} took, once the question left the queue (or never entered). */
  void release(long bytes) {
    queued.addAndGet(-bytes);
  }

  /** What a queued question counts against the budget: its bytes plus the event's own. */
  static long of(byte[] payload) {
    return payload.length + OVERHEAD_BYTES;
  }
}
