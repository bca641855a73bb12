package io.lockstep.order.pbft;

/**
 * How long this replica waits for something before it blames the primary, adapted to how long
 * that thing has taken lately. A fixed bound (PBFT's request timer) is either loose, which lets
 * a faulty primary stall clients, or tight, which under heavy load makes correct replicas suspect
 * a correct but slow primary, change view, fall further behind and change view again: a
 * view-change storm. So, as TCP's retransmission timer does (Jacobson and Karels; RFC 6298 §2),
 * the replica keeps a smoothed delay and its mean deviation and waits
 * {@code smoothed + 4 × deviation}, never less than the configured {@code floor} and never more
 * than {@code cap}; the caller doubles the result for each view change in a row (back-off).
 *
 * <p>What is sampled keeps a faulty primary from stretching the bound much: only delays that
 * ended in this view's progress count (a request's allowance restarts when a view starts, Karn's
 * rule for retransmitted segments), and the cap bounds how slow a primary may be per request;
 * Aardvark's throughput check ({@link ThroughputWatch}) still catches one that orders every
 * request just inside the bound.
 *
 * <p>Integer arithmetic only (gains 1/8 and 1/4 as shifts), so replays are exact.
 */
final class Patience {
  private final long floor;
  private final long cap;
  /** Smoothed delay and mean deviation in ms, scaled by 8 and 4 (RFC 6298's SRTT, RTTVAR). */
  private long smoothed8 = -1;
  private long deviation4;
  private long samples;

  /**
   * @param floor the least time-out, ms (the configured bound)
   * @param cap the largest time-out before back-off, ms; at least {@code floor}
   */
  Patience(long floor, long cap) {
    if (floor < 1 || cap < floor) {
      throw new IllegalArgumentException("patience needs 1 <= floor <= cap, got floor " + floor
          + " and cap " + cap);
    }
    this.floor = floor;
    this.cap = cap;
  }

  /** Something this replica waited for arrived after {@code delayMs}. */
  void observe(long delayMs) {
    long delay = Math.max(0, Math.min(delayMs, cap)); // one outlier cannot push far past the cap
    samples++;
    if (smoothed8 < 0) {
      smoothed8 = delay << 3;
      deviation4 = (delay / 2) << 2;
      return;
    }
    // SRTT <- 7/8 SRTT + 1/8 R and RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R|, in scaled form.
    long error = delay - (smoothed8 >> 3);
    smoothed8 += error;
    deviation4 += Math.abs(error) - (deviation4 >> 2);
  }

  /** The time-out before back-off: smoothed delay plus four deviations, within [floor, cap]. */
  long timeout() {
    if (smoothed8 < 0) {
      return floor;
    }
    long estimate = (smoothed8 >> 3) + deviation4;
    return Math.max(floor, Math.min(cap, estimate));
  }

  /** Delays observed so far (for tests and metrics). */
  long samples() {
    return samples;
  }
}
