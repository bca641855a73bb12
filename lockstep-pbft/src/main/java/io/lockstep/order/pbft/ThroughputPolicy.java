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
 * @param fraction a new view expects this share of the highest rate of the last {@code views}
 *     views (Aardvark: 90 %)
 * @param risePerPeriod the expectation rises by this share after each judged period the primary
 *     meets, so that a primary slow from the start of the first view is still found out
 *     (Aardvark raises it until the primary fails, then the next view starts from the history)
 * @param views how many views' peak rates are remembered; older peaks decay out of the history
 */
public record ThroughputPolicy(boolean enabled, long periodMs, long graceMs, long backlogMs,
    double fraction, double risePerPeriod, int views) {

  public ThroughputPolicy {
    if (periodMs < 1 || graceMs < 0 || backlogMs < 1 || views < 1) {
      throw new IllegalArgumentException("throughput period, backlog and views must be positive"
          + " and the grace period not negative: " + periodMs + ", " + backlogMs + ", " + views
          + ", " + graceMs);
    }
    if (!(fraction > 0 && fraction <= 1) || !(risePerPeriod >= 0 && risePerPeriod < 1)) {
      throw new IllegalArgumentException("the expected fraction must be in (0, 1] and the rise"
          + " in [0, 1), were " + fraction + " and " + risePerPeriod);
    }
  }

  /** Aardvark's shape: 90 % of the best of the last five views, rising 1 % per met period. */
  public static ThroughputPolicy aardvark() {
    return new ThroughputPolicy(true, 500, 1_000, 20, 0.9, 0.01, 5);
  }

  /** No throughput check: only the per-request bounds replace a slow primary. */
  public static ThroughputPolicy off() {
    return new ThroughputPolicy(false, 500, 1_000, 20, 0.9, 0.01, 5);
  }
}
