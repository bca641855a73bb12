package io.lockstep.bench;

import java.time.Duration;

/**
 * What the closed-loop clients do: how many, for how long, and which mix of operations.
 *
 * <p>Each client picks every operation independently: a write with probability
 * {@code writeFraction}, a read with {@code readFraction}, a compare-and-set with
 * {@code casFraction} (the three add up to 1). Keys are drawn uniformly from {@code keys} distinct
 * keys; written values are {@code valueSize} bytes. A compare-and-set expects the value that every
 * write stores and sets the same value again, so it succeeds on a key that has been written and
 * fails harmlessly on one that has not — either way the service orders it like a write.
 *
 * @param clients closed-loop clients, each with at most one operation in flight
 * @param duration length of the measured window
 * @param warmup time run before the measured window, whose operations are not recorded
 * @param writeFraction share of writes, in [0, 1]
 * @param readFraction share of reads, in [0, 1]
 * @param casFraction share of compare-and-sets, in [0, 1]
 * @param valueSize bytes per written value
 * @param keys number of distinct keys
 */
public record Workload(
    int clients,
    Duration duration,
    Duration warmup,
    double writeFraction,
    double readFraction,
    double casFraction,
    int valueSize,
    int keys) {

  /** Largest accepted value: the benchmark measures ordering, not bulk transfer. */
  public static final int MAX_VALUE_SIZE = 16 * 1024 * 1024;

  private static final double FRACTION_TOLERANCE = 1e-6;

  /** Validates every field; see the record description for the meaning of each. */
  public Workload {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must be zero or positive, got " + warmup);
    }
    checkFraction("writeFraction", writeFraction);
    checkFraction("readFraction", readFraction);
    checkFraction("casFraction", casFraction);
    double sum = writeFraction + readFraction + casFraction;
    if (Math.abs(sum - 1.0) > FRACTION_TOLERANCE) {
      throw new IllegalArgumentException(
          "write, read and cas fractions must add up to 1, got " + writeFraction + " + "
              + readFraction + " + " + casFraction + " = " + sum);
    }
    if (valueSize < 0 || valueSize > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException(
          "valueSize must be in [0, " + MAX_VALUE_SIZE + "], got " + valueSize);
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1, got " + keys);
    }
  }

  /** A write-only workload: {@code clients} clients writing {@code valueSize}-byte values. */
  public static Workload writes(int clients, Duration duration, int valueSize) {
    return new Workload(clients, duration, Duration.ofSeconds(5), 1.0, 0.0, 0.0, valueSize, 10_000);
  }

  /** One line describing the workload, for the head of a report. */
  public String describe() {
    return String.format(java.util.Locale.ROOT,
        "%d closed-loop clients, %s measured after %s warmup, mix write %.0f%% / read %.0f%% / "
            + "cas %.0f%%, %d-byte values, %d keys",
        clients, human(duration), human(warmup), writeFraction * 100, readFraction * 100,
        casFraction * 100, valueSize, keys);
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static void checkFraction(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
  }
}
