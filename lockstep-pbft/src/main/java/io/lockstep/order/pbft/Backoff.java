package io.lockstep.order.pbft;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-peer exponential back-off for a message repeated in answer to a peer's status: the first
 * answer leaves at once, each later one only after twice the wait of the one before (one
 * retransmission period, then two, four, ... up to {@code 2^maxExponent}). A peer that missed
 * the message gets it again soon, while one that cannot use it (it is slow, or faulty) is not
 * sent a copy every period, each of which it would decode and check the signatures of.
 */
final class Backoff {
  private final long period;
  private final int maxExponent;
  /** Per peer: {when the next copy may leave, the exponent of the wait after it}. */
  private final Map<Integer, long[]> next = new HashMap<>();

  Backoff(long period, int maxExponent) {
    this.period = period;
    this.maxExponent = maxExponent;
  }

  /** Whether a copy may go to {@code peer} at {@code now}; if so, it counts as sent. */
  boolean take(int peer, long now) {
    long[] entry = next.get(peer);
    if (entry != null && now < entry[0]) {
      return false;
    }
    sent(peer, now);
    return true;
  }

  /** A copy went to {@code peer} at {@code now} (by a broadcast, say): the next one waits. */
  void sent(int peer, long now) {
    long[] entry = next.computeIfAbsent(peer, k -> new long[] {0, 0});
    entry[0] = now + (period << entry[1]);
    entry[1] = Math.min(entry[1] + 1, maxExponent);
  }

  /** A new message to repeat: every peer may have it at once again. */
  void reset() {
    next.clear();
  }
}
