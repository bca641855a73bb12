package io.lockstep.order.pbft;

/**
 * How backups hold a primary to the ordering throughput earlier primaries achieved (Aardvark,
 * Clement et al., NSDI 2009, §4.3), so that a primary that orders every request just inside
 * the per-request bounds (the request timer and {@link PbftConfig#proposeDelayMs()}) is still
 * replaced when it orders far more slowly than a correct primary would. {@link ThroughputWatch}
 * applies it; every duration is on the monotonic clock the ticks carry.
 *
 * @param enabled false turns the check off (the protocol before it, kept so tests can show what
 *     the check adds)
 * @param periodMs length of one measurement: the rate is requests pre-prepared per period
 * @param graceMs after a view begins, how long its primary is measured but not judged (it is
 *     still ordering what the view change left behind)
 * @param backlogMs a held request unordered this long means the primary had work it did not do;
 *     a period is judged only if such a request was waiting at half of its ticks or more, since
 *     only then is the rate the primary's own speed rather than the clients' load
 * @param fraction the first view with no history expects this share of its own primary's peak
 *     rate (Aardvark: 90 %), rising from there (see {@code risePerPeriod})
 * @param risePerPeriod while there is no history, the expectation rises by this share after
 *     each judged period the primary meets, so that a primary slow from the start of the first
 *     view is still found out (Aardvark probes this way in every view; here it stops once an
 *     earlier view's rate is known, as a rise without end replaces every primary in time, the
 *     correct ones too: a view-change storm under steady load)
 * @param views how many views' rates are remembered; older ones decay out of the history
 * @param ofEarlierViews with a history, a view expects this share of the best sustained rate
 *     (the mean over its judged periods) of the last {@code views} views; a mean and not a
 *     peak, and well under 1, because a loaded machine's rate per period jitters and a peak
 *     of jitter is no rate any primary keeps up
 * @param strikes judged periods in a row below the expectation before a backup suspects the
 *     primary: one slow period (a pause, a slow disk, a burst of other work on the machine)
 *     is no proof of a slow primary, a sustained shortfall is
 */
public record ThroughputPolicy(boolean enabled, long periodMs, long graceMs, long backlogMs,
    double fraction, double risePerPeriod, int views, double ofEarlierViews, int strikes) {

  public ThroughputPolicy {
    if (periodMs < 1 || graceMs < 0 || backlogMs < 1 || views < 1 || strikes < 1) {
      throw new IllegalArgumentException("throughput period, backlog, views and strikes must be"
          + " positive and the grace period not negative: " + periodMs + ", " + backlogMs + ", "
          + views + ", " + strikes + ", " + graceMs);
    }
    if (!(fraction > 0 && fraction <= 1) || !(risePerPeriod >= 0 && risePerPeriod < 1)
        || !(ofEarlierViews > 0 && ofEarlierViews <= 1)) {
      throw new IllegalArgumentException("the expected fractions must be in (0, 1] and the rise"
          + " in [0, 1), were " + fraction + ", " + ofEarlierViews + " and " + risePerPeriod);
    }
  }

  /**
   * Aardvark's shape, held to a sustained shortfall: the first view probes from 90 % of its
   * own peak, rising 1 % per met period; later views expect 75 % of the best mean rate of the
   * last five views; three judged periods in a row below it start a view change.
   */
  public static ThroughputPolicy aardvark() {
    return new ThroughputPolicy(true, 500, 1_000, 20, 0.9, 0.01, 5, 0.75, 3);
  }

  /** No throughput check: only the per-request bounds replace a slow primary. */
  public static ThroughputPolicy off() {
    return new ThroughputPolicy(false, 500, 1_000, 20, 0.9, 0.01, 5, 0.75, 3);
  }
}
