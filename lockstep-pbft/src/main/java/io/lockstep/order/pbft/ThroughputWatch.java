package io.lockstep.order.pbft;

import java.util.ArrayDeque;

/**
 * Aardvark's adaptive throughput check (Clement et al., NSDI 2009, §4.3) at one replica: the
 * per-request bounds (the request timer, the propose delay) replace a primary that leaves a
 * request unordered too long, but not one that orders each request just inside them, whose
 * throughput collapses while every request still commits in time. So every replica measures,
 * per period of {@link ThroughputPolicy#periodMs()}, how many of the requests it holds the
 * primary pre-prepared, and a backup starts a view change when the primary, with work waiting,
 * orders below the expected rate.
 *
 * <p>The expected rate adapts as Aardvark's does: a view starts expecting
 * {@link ThroughputPolicy#fraction()} of the highest rate of the last few views (or, with no
 * history, of what its own primary achieves in its grace period); it rises after each judged
 * period the primary meets, so even a primary slow from the first view is found out; and old
 * peaks leave the history, so a burst of load long ago does not condemn every later primary.
 *
 * <p>A period is judged only when the primary was the bottleneck: when, at half of its ticks or
 * more, a held request had waited unordered for {@link ThroughputPolicy#backlogMs()}. At a lower
 * load the rate measures the clients, not the primary. Nor is a full window the primary's fault:
 * it waits for a checkpoint to become stable, which is every replica's work.
 *
 * <p>Deterministic: time comes only from the ticks {@link Pbft} receives.
 */
final class ThroughputWatch {
  private final Pbft p;
  private final ThroughputPolicy policy;
  /** Peak rates (requests per second) of the last views' primaries, oldest first. */
  private final ArrayDeque<Double> peaks = new ArrayDeque<>();
  private long viewStart = -1;
  private long periodStart = -1;
  private long ordered;
  private int ticks;
  private int backloggedTicks;
  private double viewPeak;
  /** Rate (requests per second) the primary must keep up while backlogged; 0 until known. */
  double expected;
  /** The latest period's rate, for tests and logs. */
  double lastRate;

  ThroughputWatch(Pbft p, ThroughputPolicy policy) {
    this.p = p;
    this.policy = policy;
  }

  /** The primary of the current view put {@code requests} held requests in a pre-prepare. */
  void onOrdered(int requests) {
    ordered += requests;
  }

  /**
   * A view was entered: the last view's peak joins the history (the oldest leaves it), and the
   * new primary starts from the history's expectation with a fresh grace period.
   */
  void newView() {
    if (viewPeak > 0) {
      peaks.addLast(viewPeak);
      while (peaks.size() > policy.views()) {
        peaks.removeFirst();
      }
    }
    viewPeak = 0;
    expected = policy.fraction() * historyPeak();
    viewStart = -1;
    periodStart = -1;
    resetPeriod();
  }

  private double historyPeak() {
    double peak = 0;
    for (double rate : peaks) {
      peak = Math.max(peak, rate);
    }
    return peak;
  }

  /** A tick in the view (not while changing view): samples the backlog, ends periods. */
  void onTick() {
    if (!policy.enabled()) {
      return;
    }
    if (periodStart < 0) {
      viewStart = viewStart < 0 ? p.now : viewStart;
      periodStart = p.now;
      resetPeriod();
      return;
    }
    ticks++;
    if (backlogged()) {
      backloggedTicks++;
    }
    if (p.now - periodStart >= policy.periodMs()) {
      endPeriod();
    }
  }

  /** Whether the primary has work it has not done: a held request waiting unordered. */
  private boolean backlogged() {
    if (p.normal.highestPrePrepared >= p.low + p.config.window()) {
      return false;
    }
    for (Pending.Entry entry : p.pending.entries()) {
      if (!entry.ordered) {
        return p.now - entry.heldSince >= policy.backlogMs();
      }
    }
    return false;
  }

  private void endPeriod() {
    lastRate = ordered * 1000.0 / (p.now - periodStart);
    boolean judged = backloggedTicks * 2 >= ticks;
    viewPeak = Math.max(viewPeak, lastRate);
    periodStart = p.now;
    resetPeriod();
    if (p.now - viewStart < policy.graceMs()) {
      return;
    }
    if (expected == 0) {
      // No history (the first view, or no load so far): start from what this primary achieved.
      expected = policy.fraction() * viewPeak;
      return;
    }
    if (!judged) {
      return;
    }
    if (lastRate < expected && !p.isPrimary()) {
      p.viewChanges.start(p.view + 1, String.format(java.util.Locale.ROOT, "the primary ordered"
          + " %.1f requests/s with requests waiting, below the %.1f expected", lastRate, expected));
    } else {
      expected *= 1 + policy.risePerPeriod();
    }
  }

  private void resetPeriod() {
    ordered = 0;
    ticks = 0;
    backloggedTicks = 0;
  }
}
