package io.lockstep.sim;

import java.util.SplittableRandom;

/**
 * One replica's local clock: {@code epoch + real × (1 + drift) + offset}, read in milliseconds.
 *
 * <p>Readings handed to the protocol never go backwards ({@link io.lockstep.order.Input.Tick}
 * promises that), even after a backward clock jump: the replica then sees its clock stand still
 * until real time catches up, as with a monotonic clock in the real runtime.
 */
final class SimClock {
  private final ClockModel model;
  private final SplittableRandom random;
  private final double drift;
  private long offsetMillis;
  private long lastReading = Long.MIN_VALUE;

  SimClock(ClockModel model, SplittableRandom random) {
    this.model = model;
    this.random = random;
    this.drift = model.synchronizedClocks() || model.maxDriftPpm() == 0
        ? 0.0
        : (random.nextLong(2 * model.maxDriftPpm() + 1) - model.maxDriftPpm()) / 1e6;
    this.offsetMillis = drawOffset();
  }

  private long drawOffset() {
    long bound = model.synchronizedClocks() ? model.maxSkewMillis() / 2 : model.maxSkewMillis();
    return random.nextLong(2 * bound + 1) - bound;
  }

  /** Local reading at simulated time {@code nanos}, monotonic across calls. */
  long read(long nanos) {
    long raw = ClockModel.EPOCH_MILLIS + (long) (nanos * (1.0 + drift) / 1_000_000.0)
        + offsetMillis;
    lastReading = Math.max(lastReading, raw);
    return lastReading;
  }

  /** Real nanoseconds between two ticks of this clock. */
  long tickPeriodNanos() {
    return Math.max(1, (long) (model.tickMillis() * 1_000_000.0 / (1.0 + drift)));
  }

  /** Moves the clock to a fresh offset within the bound (a jump, forward or back). */
  long jump() {
    long before = offsetMillis;
    offsetMillis = drawOffset();
    return offsetMillis - before;
  }

  double drift() {
    return drift;
  }

  long offsetMillis() {
    return offsetMillis;
  }
}
