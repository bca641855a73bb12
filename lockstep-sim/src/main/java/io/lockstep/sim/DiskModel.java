package io.lockstep.sim;

/**
 * The simulated disks' behaviour (X1: unsynced writes lost at a crash, torn and corrupt records).
 *
 * <p>Each {@link io.lockstep.order.Ready}'s writes take one fsync of {@code fsyncMinMicros} plus
 * an exponential tail of mean {@code fsyncMeanTailMicros}; fsyncs of one replica complete in
 * order. With {@code tornWrites}, a crash during an fsync keeps a random prefix of that fsync's
 * writes (and of the entries of a torn append) instead of none of them, as a log whose torn tail
 * is detected by checksums and cut off would.
 *
 * @param fsyncMinMicros smallest fsync latency
 * @param fsyncMeanTailMicros mean of the exponential part of the fsync latency
 * @param tornWrites whether a crash may keep part of the fsync in progress
 * @param readErrorPercent how often, in percent, a read of log entries the protocol asked for
 *     fails with an I/O error (EIO), on top of the reads a disk fault makes fail
 */
public record DiskModel(long fsyncMinMicros, long fsyncMeanTailMicros, boolean tornWrites,
    int readErrorPercent) {
  public DiskModel {
    NetworkModel.requireNonNegative("fsyncMinMicros", fsyncMinMicros);
    NetworkModel.requireNonNegative("fsyncMeanTailMicros", fsyncMeanTailMicros);
    if (readErrorPercent < 0 || readErrorPercent > 100) {
      throw new IllegalArgumentException("readErrorPercent must be in [0, 100], was "
          + readErrorPercent);
    }
  }

  /** A disk whose reads of log entries never fail by themselves. */
  public DiskModel(long fsyncMinMicros, long fsyncMeanTailMicros, boolean tornWrites) {
    this(fsyncMinMicros, fsyncMeanTailMicros, tornWrites, 0);
  }

  /** This disk with reads of log entries failing {@code percent} of the time. */
  public DiskModel withReadErrors(int percent) {
    return new DiskModel(fsyncMinMicros, fsyncMeanTailMicros, tornWrites, percent);
  }

  /** An SSD: 0.1 ms plus 0.4 ms mean tail, torn writes on. */
  public static DiskModel ssd() {
    return new DiskModel(100, 400, true);
  }
}
