package io.lockstep.sim;

/**
 * How far replicas' clocks may stray from simulated real time (FAULTS.md 10).
 *
 * <p>Each replica's clock reads {@code epoch + realMillis × (1 + drift) + offset}. Unsynchronized
 * mode draws a drift in ±{@code maxDriftPpm} and an offset in ±{@code maxSkewMillis}, and clock
 * jumps move the offset anywhere within that bound. Synchronized mode (paper §3.2.2, needed by
 * the real-time-clock schemes) uses no drift and keeps every clock within
 * {@code maxSkewMillis / 2} of real time, so any two clocks differ by at most
 * {@code maxSkewMillis}.
 *
 * @param synchronizedClocks whether clocks are kept within the skew bound of each other
 * @param maxSkewMillis bound on a clock's offset (unsynchronized) or on the skew between two
 *     clocks (synchronized)
 * @param maxDriftPpm bound on a clock's rate error in parts per million (unsynchronized only)
 * @param tickMillis local-clock period of the ticks each replica receives
 */
public record ClockModel(
    boolean synchronizedClocks, long maxSkewMillis, long maxDriftPpm, long tickMillis) {

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
  }

  /** Unsynchronized clocks: ±500 ms offset, ±1% drift, 10 ms ticks. */
  public static ClockModel unsynchronized() {
    return new ClockModel(false, 500, 10_000, 10);
  }

  /** Synchronized clocks: any two within {@code skewMillis}, no drift, 10 ms ticks. */
  public static ClockModel synchronizedWithin(long skewMillis) {
    return new ClockModel(true, skewMillis, 0, 10);
  }
}
