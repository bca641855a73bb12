package io.lockstep.sim;

/**
 * The simulated network's normal behaviour (faults on top of it come from the fault schedule).
 *
 * <p>A message's one-way delay is {@code minDelayMicros} plus an exponential tail of mean
 * {@code meanTailMicros}; reordering falls out of independent delays. {@code lossRate} and
 * {@code duplicateRate} are the background probabilities of losing or duplicating a
 * replica-to-replica message; loss and duplication bursts raise them for a while.
 *
 * @param minDelayMicros smallest one-way delay
 * @param meanTailMicros mean of the exponential part of the delay
 * @param lossRate background loss probability, in [0, 1)
 * @param duplicateRate background duplication probability, in [0, 1)
 */
public record NetworkModel(
    long minDelayMicros, long meanTailMicros, double lossRate, double duplicateRate) {

  public NetworkModel {
    requireNonNegative("minDelayMicros", minDelayMicros);
    requireNonNegative("meanTailMicros", meanTailMicros);
    requireProbability("lossRate", lossRate);
    requireProbability("duplicateRate", duplicateRate);
  }

  /** A LAN: 0.2 ms minimum plus 0.8 ms mean tail, no background loss or duplication. */
  public static NetworkModel lan() {
    return new NetworkModel(200, 800, 0.0, 0.0);
  }

  static void requireNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
  }

  static void requireProbability(String name, double value) {
    if (!(value >= 0.0 && value < 1.0)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), was " + value);
    }
  }
}
