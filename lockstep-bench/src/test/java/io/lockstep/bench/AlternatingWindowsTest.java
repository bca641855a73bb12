package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class AlternatingWindowsTest {
  /** A window of {@code ops} operations of {@code micros} each over one second. */
  private static AlternatingWindows.Window window(int index, long ops, long micros,
      double cpuSeconds) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(micros, ops);
    return new AlternatingWindows.Window(index, AlternatingWindows.isA(index), 1.0, h, 0,
        cpuSeconds, cpuSeconds / 2, 0, 0, 10, 0.01, 1.0);
  }

  @Test
  void windowsRunABBASoALinearDriftFavoursNeitherSetting() {
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      order.append(AlternatingWindows.isA(i) ? 'A' : 'B');
    }
    assertThat(order).hasToString("ABBAABBA");
    // Throughput falling by 100 ops/s per window, no difference between the settings: the
    // pairs' ratios straddle 1 and their mean is 1 within the drift's second-order share.
    AlternatingWindows w = new AlternatingWindows();
    for (int i = 0; i < 8; i++) {
      w.add(window(i, 10_000 - 100 * i, 1_000, 1.0));
    }
    double[] ratios = w.pairRatios(AlternatingWindows.Window::throughput);
    assertThat(ratios).hasSize(4);
    assertThat(ratios[0]).isGreaterThan(1);
    assertThat(ratios[1]).isLessThan(1);
    assertThat(AlternatingWindows.estimate(ratios).mean()).isCloseTo(1.0, within(0.001));
  }

  @Test
  void aFivePerCentCostShowsInEveryPairAndInTheInterval() {
    AlternatingWindows w = new AlternatingWindows();
    for (int i = 0; i < 12; i++) {
      boolean a = AlternatingWindows.isA(i);
      long drift = (i / 2) % 3 == 0 ? 1_000 : 0; // noise that both windows of a pair share
      w.add(window(i, (a ? 9_500 : 10_000) + drift, a ? 1_100 : 1_000, 1.0));
    }
    AlternatingWindows.Estimate ratio = AlternatingWindows.estimate(
        w.pairRatios(AlternatingWindows.Window::throughput));
    assertThat(ratio.n()).isEqualTo(6);
    assertThat(ratio.mean()).isBetween(0.94, 0.96);
    assertThat(ratio.mean() + ratio.halfWidth()).isLessThan(1.0);
    assertThat(AlternatingWindows.estimate(w.pairRatios(x -> x.millisAt(99))).mean())
        .isCloseTo(1.1, within(0.01));
    // CPU per operation: 1 s over 9,500 or 10,500 operations against over 10,000 or 11,000.
    assertThat(w.microsPerOp(true, AlternatingWindows.Window::cpuSeconds))
        .isGreaterThan(w.microsPerOp(false, AlternatingWindows.Window::cpuSeconds));
    assertThat(w.report("on", "off")).contains("throughput 0.95");
  }

  @Test
  void ratiosAreAveragedAsLogarithms() {
    assertThat(AlternatingWindows.ratio(new double[] {0.5, 2.0})).startsWith("1.000 [");
    assertThat(AlternatingWindows.ratio(new double[] {0.95, 0.95, 0.95}))
        .isEqualTo("0.950 [0.950, 0.950] (n=3)");
  }

  @Test
  void aPairWithAWindowThatCompletedNothingIsLeftOutAndCounted() {
    AlternatingWindows w = new AlternatingWindows();
    for (int i = 0; i < 6; i++) {
      w.add(i == 3 ? new AlternatingWindows.Window(3, true, 1.0, new Histogram(3), 5, 1, 0, 0, 0,
          0, 0, 1.0) : window(i, 10_000, 1_000, 1.0));
    }
    assertThat(w.pairRatios(AlternatingWindows.Window::throughput)).containsExactly(1.0, 1.0);
    assertThat(w.stalledPairs()).isEqualTo(1);
    assertThat(w.report("on", "off")).contains("throughput 1.000 [").doesNotContain("Infinity")
        .contains("(1 pairs left out");
  }

  @Test
  void theIntervalIsStudentsT() {
    AlternatingWindows.Estimate e = AlternatingWindows.estimate(new double[] {1, 2, 3, 4});
    assertThat(e.mean()).isEqualTo(2.5);
    // s = sqrt(5/3), t(3) = 3.182: 3.182 * sqrt(5/3) / 2.
    assertThat(e.halfWidth()).isCloseTo(2.054, within(0.001));
    assertThat(AlternatingWindows.estimate(new double[] {7}).halfWidth()).isNaN();
  }

  @Test
  void aWindowOutOfTurnIsRefused() {
    AlternatingWindows w = new AlternatingWindows();
    w.add(window(0, 10, 10, 0));
    assertThatThrownBy(() -> w.add(window(2, 10, 10, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
    Histogram h = new Histogram(3);
    assertThatThrownBy(() -> new AlternatingWindows.Window(1, false, 0, h, 0, 0, 0, 0, 0, 0, 0,
        0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lasted 0.0 s");
  }
}
