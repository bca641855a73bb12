package io.lockstep.sim;

/**
 * How often and how hard the fault phase strikes (the faults that broke real replicated systems,
 * replayed exactly from a seed).
 *
 * <p>Faults arrive at exponentially distributed intervals of mean {@code meanIntervalMillis}; each
 * picks a kind with probability proportional to its weight and lasts a random time of mean
 * {@code meanDurationMillis} (a crashed replica restarts after it; a partition or burst heals
 * after it). At most {@code t} replicas are crashed at once unless {@code crashBeyondT}.
 *
 * @param meanIntervalMillis mean time between two faults
 * @param meanDurationMillis mean time a fault lasts
 * @param crashWeight weight of crash (then restart) of a random replica
 * @param partitionWeight weight of a partition (split in halves, one-way, leader isolation or
 *     bridge, chosen uniformly)
 * @param lossWeight weight of a message-loss burst
 * @param duplicateWeight weight of a message-duplication burst
 * @param slowWeight weight of a slow-network burst (delay tail 20 times longer)
 * @param clockJumpWeight weight of a replica's clock jumping within the clock model's bound
 * @param pauseWeight weight of a replica pausing (SIGSTOP-like) and then resuming
 * @param diskWeight weight of a disk fault on one replica (corruption, EIO, a full disk): a bit
 *     flip in a log record or a snapshot file, EIO on read or write, a full disk or a lost write;
 *     see {@link Nemesis} for how each is modelled
 * @param burstLossRate message loss probability during a loss burst
 * @param burstDuplicateRate message duplication probability during a duplication burst
 * @param crashBeyondT whether more than t replicas may be crashed at once
 */
public record FaultRates(
    long meanIntervalMillis, long meanDurationMillis, int crashWeight, int partitionWeight,
    int lossWeight, int duplicateWeight, int slowWeight, int clockJumpWeight, int pauseWeight,
    int diskWeight, double burstLossRate, double burstDuplicateRate, boolean crashBeyondT) {

  public FaultRates {
    if (meanIntervalMillis < 1 || meanDurationMillis < 1) {
      throw new IllegalArgumentException("mean fault interval and duration must be at least 1 ms,"
          + " were " + meanIntervalMillis + " and " + meanDurationMillis);
    }
    int[] weights = {crashWeight, partitionWeight, lossWeight, duplicateWeight, slowWeight,
        clockJumpWeight, pauseWeight, diskWeight};
    for (int weight : weights) {
      if (weight < 0) {
        throw new IllegalArgumentException("fault weights must not be negative, got " + weight);
      }
    }
    NetworkModel.requireProbability("burstLossRate", burstLossRate);
    NetworkModel.requireProbability("burstDuplicateRate", burstDuplicateRate);
  }

  /** Rates without disk faults (the form before disk faults existed). */
  public FaultRates(long meanIntervalMillis, long meanDurationMillis, int crashWeight,
      int partitionWeight, int lossWeight, int duplicateWeight, int slowWeight,
      int clockJumpWeight, int pauseWeight, double burstLossRate, double burstDuplicateRate,
      boolean crashBeyondT) {
    this(meanIntervalMillis, meanDurationMillis, crashWeight, partitionWeight, lossWeight,
        duplicateWeight, slowWeight, clockJumpWeight, pauseWeight, 0, burstLossRate,
        burstDuplicateRate, crashBeyondT);
  }

  /** Every kind of fault, one every 400 ms on average, lasting about a second. */
  public static FaultRates standard() {
    return new FaultRates(400, 1_000, 4, 4, 2, 2, 1, 1, 1, 2, 0.3, 0.2, false);
  }

  /** No faults at all (a fault phase of normal operation). */
  public static FaultRates none() {
    return new FaultRates(1_000, 1_000, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, false);
  }

  /** Sum of the weights; 0 means no faults. */
  public int totalWeight() {
    return crashWeight + partitionWeight + lossWeight + duplicateWeight + slowWeight
        + clockJumpWeight + pauseWeight + diskWeight;
  }

  /** Same rates, with crashes allowed beyond t or not. */
  public FaultRates withCrashBeyondT(boolean allowed) {
    return new FaultRates(meanIntervalMillis, meanDurationMillis, crashWeight, partitionWeight,
        lossWeight, duplicateWeight, slowWeight, clockJumpWeight, pauseWeight, diskWeight,
        burstLossRate, burstDuplicateRate, allowed);
  }

  /** Same rates with another weight for disk faults (0: none). */
  public FaultRates withDiskWeight(int weight) {
    return new FaultRates(meanIntervalMillis, meanDurationMillis, crashWeight, partitionWeight,
        lossWeight, duplicateWeight, slowWeight, clockJumpWeight, pauseWeight, weight,
        burstLossRate, burstDuplicateRate, crashBeyondT);
  }

  /** Only disk faults (and nothing else), one every {@code meanIntervalMillis} on average. */
  public static FaultRates disksOnly(long meanIntervalMillis) {
    return new FaultRates(meanIntervalMillis, 1_000, 0, 0, 0, 0, 0, 0, 0, 1, 0.0, 0.0, false);
  }
}
