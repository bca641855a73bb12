package io.lockstep.server;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The bytes of one client-port connection's questions waiting for the loop, bounded so that one
 * client (or one follower's forwarder) pipelining huge requests cannot fill the loop's queue
 * alone. A question is charged when it arrives and released when the loop takes it or it is
 * answered first (busy, impersonation). Not until its answer: a request taken by the loop may
 * wait in the executor for an earlier one of its session (O1), and if waiting requests held the
 * budget, that earlier one could never get in. A charge never released (a question dropped
 * while stopping) would hold its bytes for ever, so charges older than the expiry are dropped
 * when the budget is tight. Thread-safe (questions arrive on the I/O thread, are taken on the
 * loop thread).
 */
final class ConnectionBudget {
  private record Charge(long bytes, long since) {}

  private final long limit;
  private final long expiryNanos;
  private final Map<Long, Charge> charges = new HashMap<>();
  private long used;

  ConnectionBudget(long limit, long expiryNanos) {
    this.limit = limit;
    this.expiryNanos = expiryNanos;
  }

  /**
   * Charges question {@code tag}; false (nothing charged) if the connection's unanswered
   * questions already hold the limit. One question always fits into an empty budget.
   */
  synchronized boolean charge(long tag, long bytes, long now) {
    if (used > 0 && used + bytes > limit) {
      expire(now);
      if (used > 0 && used + bytes > limit) {
        return false;
      }
    }
    Charge previous = charges.put(tag, new Charge(bytes, now));
    used += bytes - (previous == null ? 0 : previous.bytes());
    return true;
  }

  /** The answer to {@code tag} was sent (or dropped): its bytes are free again. */
  synchronized void release(long tag) {
    Charge charge = charges.remove(tag);
    if (charge != null) {
      used -= charge.bytes();
    }
  }

  /** Bytes charged now. */
  synchronized long used() {
    return used;
  }

  long limit() {
    return limit;
  }

  private void expire(long now) {
    Iterator<Charge> it = charges.values().iterator();
    while (it.hasNext()) {
      Charge c = it.next();
      if (now - c.since() > expiryNanos) {
        used -= c.bytes();
        it.remove();
      }
    }
  }
}
