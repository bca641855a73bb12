package io.lockstep.sim;

/**
 * How far replicas' clocks may stray from simulated real time (clock jumps and drift beyond an
 * assumed bound made lease reads go stale in real systems).
 *
 * <p>Each replica's wall clock reads {@code epoch + realMillis × (1 + drift) + offset}; its
 * monotonic clock (protocol timers) drifts alike but has no offset and never jumps.
 * Unsynchronized mode draws a drift in ±{@code maxDriftPpm} and an offset in
 * ±{@code maxSkewMillis}, and clock jumps move the offset anywhere within that bound; in
 * addition, up to t replicas' wall clocks may go <em>wrong</em> by ±{@code wrongClockMillis}
 * (a clock an hour off). Synchronized mode (paper §3.2.2, needed by the real-time-clock schemes)
 * uses no drift and keeps every clock within {@code maxSkewMillis / 2} of real time, so any two
 * clocks differ by at most {@code maxSkewMillis}.
 *
 * @param synchronizedClocks whether clocks are kept within the skew bound of each other
 * @param maxSkewMillis bound on a clock's offset (unsynchronized) or on the skew between two
 *     clocks (synchronized)
 * @param maxDriftPpm bound on a clock's rate error in parts per million (unsynchronized only)
 * @param tickMillis local-clock period of the ticks each replica receives
 * @param wrongClockMillis how far a wrong wall clock is off, beyond the skew bound; 0: clocks
 *     never go wrong
 */
public record ClockModel(
    boolean synchronizedClocks, long maxSkewMillis, long maxDriftPpm, long tickMillis,
    long wrongClockMillis) {

  /** Milliseconds since the Unix epoch at simulated time zero (a fixed, recognizable date). */
  public static final long EPOCH_MILLIS = 1_700_000_000_000L;

  public ClockModel {
    NetworkModel.requireNonNegative("maxSkewMillis", maxSkewMillis);
    NetworkModel.requireNonNegative("maxDriftPpm", maxDriftPpm);
    if (maxDriftPpm >= 1_000_000) {
      throw new IllegalArgumentException("maxDriftPpm must be below 1000000, was " + maxDriftPpm);
    }
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be at least 1, was " + tickMillis);
    }
    NetworkModel.requireNonNegative("wrongClockMillis", wrongClockMillis);
    if (synchronizedClocks && wrongClockMillis != 0) {
      throw new IllegalArgumentException("synchronized clocks never go wrong: wrongClockMillis"
          + " must be 0, was " + wrongClockMillis);
    }
  }

  /**
   * Unsynchronized clocks: ±500 ms offset, ±1% drift, 10 ms ticks, and up to t wall clocks an
   * hour wrong.
   */
  public static ClockModel unsynchronized() {
    return new ClockModel(false, 500, 10_000, 10, 3_600_000);
  }

  /** Synchronized clocks: any two within {@code skewMillis}, no drift, 10 ms ticks. */
  public static ClockModel synchronizedWithin(long skewMillis) {
    return new ClockModel(true, skewMillis, 0, 10, 0);
  }

  /** The same clocks, with wrong clocks off by {@code millis} (0: never wrong). */
  public ClockModel withWrongClockMillis(long millis) {
    return new ClockModel(synchronizedClocks, maxSkewMillis, maxDriftPpm, tickMillis, millis);
  }

  /** Largest rate error of a clock, as a fraction (ρ). */
  double maxDrift() {
    return synchronizedClocks ? 0.0 : maxDriftPpm / 1e6;
  }
}
