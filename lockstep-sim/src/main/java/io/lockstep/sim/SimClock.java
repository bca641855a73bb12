package io.lockstep.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One replica's two clocks, as a real machine has them.
 *
 * <ul>
 *   <li>The <b>monotonic</b> clock ({@code System.nanoTime()} in the server) reads
 *       {@code origin + real × (1 + drift)} in milliseconds, from a random origin: it drifts but
 *       never jumps, and it drives the protocol's timers.
 *   <li>The <b>wall</b> clock reads {@code epoch + real × (1 + drift) + offset + wrong}: the
 *       offset stays within the clock model's bound and jumps within it (clock jumps and drift); a
 *       <em>wrong</em> clock is further off by hours ({@link #setWrong}). It may go backwards.
 *       It is only the protocol's input for agreed time.
 * </ul>
 *
 * <p>The clock remembers its recent settings so that the agreed-time invariant can ask which
 * readings a correct setting of this clock allowed over a window ({@link #correctRange}).
 */
final class SimClock {
  /** A setting of the wall clock, in force from {@code since} (simulated nanoseconds). */
  private record Setting(long since, long offsetMillis, long wrongMillis) {}

  private final ClockModel model;
  private final SplittableRandom random;
  private final double drift;
  private final long origin;
  private long offsetMillis;
  private long wrongMillis;
  private final List<Setting> settings = new ArrayList<>();

  SimClock(ClockModel model, SplittableRandom random) {
    this.model = model;
    this.random = random;
    this.drift = model.synchronizedClocks() || model.maxDriftPpm() == 0
        ? 0.0
        : (random.nextLong(2 * model.maxDriftPpm() + 1) - model.maxDriftPpm()) / 1e6;
    this.offsetMillis = drawOffset();
    this.origin = random.nextLong(1L << 40);
    settings.add(new Setting(0, offsetMillis, 0));
  }

  private long drawOffset() {
    long bound = model.synchronizedClocks() ? model.maxSkewMillis() / 2 : model.maxSkewMillis();
    return random.nextLong(2 * bound + 1) - bound;
  }

  /** Local milliseconds elapsed by simulated time {@code nanos}, at this clock's rate. */
  private long local(long nanos) {
    return (long) (nanos * (1.0 + drift) / 1_000_000.0);
  }

  /** Monotonic reading at simulated time {@code nanos}: drifts, never jumps. */
  long monotonic(long nanos) {
    return origin + local(nanos);
  }

  /** Wall clock reading at simulated time {@code nanos}: may jump either way. */
  long wall(long nanos) {
    return ClockModel.EPOCH_MILLIS + local(nanos) + offsetMillis + wrongMillis;
  }

  /** Real nanoseconds between two ticks of this clock. */
  long tickPeriodNanos() {
    return Math.max(1, (long) (model.tickMillis() * 1_000_000.0 / (1.0 + drift)));
  }

  /** At {@code nanos}, moves the offset anywhere within the bound (a jump, forward or back). */
  long jump(long nanos) {
    long before = offsetMillis;
    offsetMillis = drawOffset();
    settings.add(new Setting(nanos, offsetMillis, wrongMillis));
    return offsetMillis - before;
  }

  /** At {@code nanos}, makes the wall clock wrong by {@code millis} beyond its offset. */
  void setWrong(long nanos, long millis) {
    wrongMillis = millis;
    settings.add(new Setting(nanos, offsetMillis, wrongMillis));
  }

  /** True while the wall clock is wrong (off by more than the model allows). */
  boolean wrong() {
    return wrongMillis != 0;
  }

  /**
   * The lowest and highest reading this wall clock would show at {@code nanos} under any
   * correct setting (no wrong part) it had during the last {@code windowNanos}: a protocol may
   * still hold a reading taken under an earlier setting, aged forward. Null if the clock was
   * wrong throughout the window. Settings older than the window are forgotten.
   */
  long[] correctRange(long nanos, long windowNanos) {
    long from = nanos - windowNanos;
    while (settings.size() > 1 && settings.get(1).since() <= from) {
      settings.remove(0);
    }
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    for (Setting s : settings) {
      if (s.wrongMillis() == 0) {
        lo = Math.min(lo, s.offsetMillis());
        hi = Math.max(hi, s.offsetMillis());
      }
    }
    if (lo > hi) {
      return null;
    }
    long base = ClockModel.EPOCH_MILLIS + local(nanos);
    return new long[] {base + lo, base + hi};
  }

  double drift() {
    return drift;
  }

  long offsetMillis() {
    return offsetMillis;
  }
}
