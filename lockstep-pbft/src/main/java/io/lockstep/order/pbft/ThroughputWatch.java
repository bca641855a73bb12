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
 * <p>The expected rate: a view with a history expects
 * {@link ThroughputPolicy#ofEarlierViews()} of the best rate the last few views' primaries
 * sustained (each view's mean over its judged periods after its grace; at the view's primary,
 * which never waits on itself, over all of them), and that expectation
 * stays put. Only with no history (the first view, or no judged period so far) does it start
 * from {@link ThroughputPolicy#fraction()} of this primary's own peak and rise after each
 * judged period the primary meets, as Aardvark's does, so that a primary slow from the first
 * view is found out; once a view's rate is known the rise stops, for a rise without end
 * replaces every primary in time, the correct ones too. A backup suspects the primary only
 * after {@link ThroughputPolicy#strikes()} judged periods in a row below the expectation: on a
 * loaded machine every replica's rate jitters from period to period, and one slow period (a
 * pause, a slow disk) proves nothing about the primary.
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
  /** Sustained (mean judged) rates, requests per second, of the last views, oldest first. */
  private final ArrayDeque<Double> rates = new ArrayDeque<>();
  private long viewStart = -1;
  private long periodStart = -1;
  private long ordered;
  private int ticks;
  private int backloggedTicks;
  private double viewPeak;
  /** Sum and count of this view's judged rates after its grace (all, at its primary). */
  private double judgedSum;
  int judgedPeriods;
  /** Judged periods in a row below the expectation. */
  int strikes;
  /** Whether {@link #expected} came from earlier views (it then no longer rises). */
  private boolean fromHistory;
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
   * A view was entered: the last view's sustained rate joins the history (the oldest leaves
   * it), and the new primary starts from the history's expectation with a fresh grace period.
   */
  void newView() {
    if (judgedPeriods > 0) {
      rates.addLast(judgedSum / judgedPeriods);
      while (rates.size() > policy.views()) {
        rates.removeFirst();
      }
    }
    viewPeak = 0;
    judgedSum = 0;
    judgedPeriods = 0;
    strikes = 0;
    fromHistory = !rates.isEmpty();
    expected = policy.ofEarlierViews() * bestRate();
    viewStart = -1;
    periodStart = -1;
    resetPeriod();
  }

  private double bestRate() {
    double best = 0;
    for (double rate : rates) {
      best = Math.max(best, rate);
    }
    return best;
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
    if (judged || p.isPrimary()) {
      // The primary never waits on itself, so none of its periods is judged, yet its rate is
      // the view's: without it a deposed primary would have no history of the view it led,
      // probe the next primary with a rising expectation alone and leave the view by itself.
      judgedSum += lastRate;
      judgedPeriods++;
    }
    if (expected == 0) {
      // No history (the first view, or no load so far): start from what this primary achieved.
      expected = policy.fraction() * viewPeak;
      return;
    }
    if (!judged) {
      strikes = 0; // the clients, not the primary, set this period's rate: the run is broken
      return;
    }
    if (lastRate >= expected) {
      strikes = 0;
      if (!fromHistory) {
        expected *= 1 + policy.risePerPeriod();
      }
      return;
    }
    if (++strikes >= policy.strikes() && !p.isPrimary()) {
      p.suspicions.raise(String.format(java.util.Locale.ROOT, "the primary ordered"
          + " %.1f requests/s with requests waiting, below the %.1f expected, %d periods in a"
          + " row", lastRate, expected, strikes), false);
    }
  }

  private void resetPeriod() {
    ordered = 0;
    ticks = 0;
    backloggedTicks = 0;
  }
}
