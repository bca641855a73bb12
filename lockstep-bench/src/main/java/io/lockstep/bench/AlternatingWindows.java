package io.lockstep.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * An A/B comparison inside one run: one cluster under one load, a setting switched between A and
 * B every few seconds, and each window's throughput, latency and CPU kept apart. Separate runs
 * per setting cannot resolve a few per cent on a machine whose disk's fsync time drifts by more
 * than that between runs; adjacent windows share the drift, so each pair's ratio cancels most of
 * it, and many pairs give a mean with a confidence interval instead of a single guess.
 *
 * <p>Windows run A B B A A B B A ...: pairs (0,1), (2,3), ... each hold one A and one B, and a
 * drift that is linear in time favours A in half the pairs and B in the other half.
 */
public final class AlternatingWindows {
  /** Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom. */
  private static final double[] T_975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
      2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

  /**
   * One measured window.
   *
   * @param index its place in the run (0 first)
   * @param a whether setting A was on ({@link #isA})
   * @param seconds how long it was measured
   * @param latencyMicros the latencies of the operations that started and ended in it
   * @param errors operations that failed in it
   * @param cpuSeconds CPU time of the measured processes in it
   * @param loopCpuSeconds of that, the replicas' loop threads' (where events are built)
   * @param journalCpuSeconds of that, the journal writer threads'
   * @param journalBytes bytes the journal writer threads wrote in it
   * @param fsyncs the log's fsyncs in it (all replicas)
   * @param fsyncSeconds their total time
   * @param load the 1-minute load average at its end
   */
  public record Window(int index, boolean a, double seconds, Histogram latencyMicros,
      long errors, double cpuSeconds, double loopCpuSeconds, double journalCpuSeconds,
      long journalBytes, long fsyncs,
      double fsyncSeconds, double load) {
    /** Rejects a window that was not measured. */
    public Window {
      if (!(seconds > 0)) {
        throw new IllegalArgumentException("window " + index + " lasted " + seconds + " s");
      }
    }

    /** Operations completed per second. */
    public double throughput() {
      return latencyMicros.getTotalCount() / seconds;
    }

    /** Latency at {@code percentile}, in milliseconds. */
    public double millisAt(double percentile) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  /**
   * The geometric mean of {@code ratios} and its 95 % interval, "0.950 [0.930, 0.970] (n=6)":
   * ratios are averaged as logarithms, so 0.5 and 2 cancel as they should.
   */
  public static String ratio(double[] ratios) {
    double[] logs = new double[ratios.length];
    for (int i = 0; i < ratios.length; i++) {
      logs[i] = Math.log(ratios[i]);
    }
    Estimate e = estimate(logs);
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (n=%d)", Math.exp(e.mean()),
        Math.exp(e.mean() - e.halfWidth()), Math.exp(e.mean() + e.halfWidth()), e.n());
  }

  private static double perOp(double seconds, Window w) {
    return seconds / w.latencyMicros().getTotalCount();
  }

  /** A mean and the half-width of its 95 % confidence interval (NaN with fewer than two). */
  public record Estimate(double mean, double halfWidth, int n) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.3f ± %.3f (n=%d)", mean, halfWidth, n);
    }
  }

  private final List<Window> windows = new ArrayList<>();

  /** Whether window {@code index} runs setting A: A B B A, repeated. */
  public static boolean isA(int index) {
    int r = index % 4;
    return r == 0 || r == 3;
  }

  /** Adds the next window. */
  public void add(Window window) {
    if (window.index() != windows.size() || window.a() != isA(window.index())) {
      throw new IllegalArgumentException("window " + window.index() + " (a=" + window.a()
          + ") out of order after " + windows.size());
    }
    windows.add(window);
  }

  /** The windows so far. */
  public List<Window> windows() {
    return List.copyOf(windows);
  }

  /** Mean and 95 % interval of {@code values} (Student's t). */
  public static Estimate estimate(double[] values) {
    int n = values.length;
    double mean = 0;
    for (double v : values) {
      mean += v / n;
    }
    if (n < 2) {
      return new Estimate(n == 0 ? Double.NaN : mean, Double.NaN, n);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double t = n - 1 <= T_975.length ? T_975[n - 2] : n - 1 <= 60 ? 2.0 : 1.96;
    return new Estimate(mean, t * Math.sqrt(squares / (n - 1) / n), n);
  }

  /**
   * The A/B ratio of {@code measure} in each complete pair of windows. A pair with a window that
   * completed no operation (a stall longer than the window) has no ratio and is left out;
   * {@link #stalledPairs} counts them, so a report says so rather than averaging infinity.
   */
  public double[] pairRatios(ToDoubleFunction<Window> measure) {
    double[] out = new double[windows.size() / 2];
    int n = 0;
    for (int p = 0; p < out.length; p++) {
      Window x = windows.get(2 * p);
      Window y = windows.get(2 * p + 1);
      if (stalled(x) || stalled(y)) {
        continue;
      }
      Window a = x.a() ? x : y;
      Window b = x.a() ? y : x;
      out[n++] = measure.applyAsDouble(a) / measure.applyAsDouble(b);
    }
    return Arrays.copyOf(out, n);
  }

  /** Complete pairs left out of {@link #pairRatios}: one of their windows completed nothing. */
  public int stalledPairs() {
    int stalled = 0;
    for (int p = 0; p < windows.size() / 2; p++) {
      if (stalled(windows.get(2 * p)) || stalled(windows.get(2 * p + 1))) {
        stalled++;
      }
    }
    return stalled;
  }

  private static boolean stalled(Window w) {
    return w.latencyMicros().getTotalCount() == 0;
  }

  /** {@code measure} of every window of one setting. */
  public double[] values(boolean a, ToDoubleFunction<Window> measure) {
    return windows.stream().filter(w -> w.a() == a).mapToDouble(measure).toArray();
  }

  /** All latencies of one setting's windows together. */
  public Histogram merged(boolean a) {
    Histogram out = new Histogram(3);
    windows.stream().filter(w -> w.a() == a).forEach(w -> out.add(w.latencyMicros()));
    return out;
  }

  /** Of one setting: {@code seconds} of all its windows per operation, in microseconds. */
  public double microsPerOp(boolean a, ToDoubleFunction<Window> seconds) {
    double total = 0;
    long ops = 0;
    for (Window w : windows) {
      if (w.a() == a) {
        total += seconds.applyAsDouble(w);
        ops += w.latencyMicros().getTotalCount();
      }
    }
    return ops == 0 ? Double.NaN : total * 1e6 / ops;
  }

  /**
   * The report: a row per window, then per setting its mean throughput, merged p50 and p99, CPU
   * and journal CPU per operation, and the A/B ratios of throughput and p99 over the pairs.
   */
  public String report(String aName, String bName) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%-4s %-8s %8s %7s %7s %6s %9s %10s %10s %9s %8s %6s%n", "win", "setting", "ops/s",
        "p50 ms", "p99 ms", "errors", "cpu us/op", "loop us/op", "jrnl us/op", "jrnl B/op",
        "fsync ms", "load"));
    for (Window w : windows) {
      long ops = Math.max(1, w.latencyMicros().getTotalCount());
      out.append(String.format(Locale.ROOT,
          "%-4d %-8s %8.0f %7.2f %7.2f %6d %9.1f %10.2f %10.2f %9.1f %8.3f %6.2f%n", w.index(),
          w.a() ? aName : bName, w.throughput(), w.millisAt(50), w.millisAt(99), w.errors(),
          w.cpuSeconds() * 1e6 / ops, w.loopCpuSeconds() * 1e6 / ops,
          w.journalCpuSeconds() * 1e6 / ops,
          (double) w.journalBytes() / ops,
          w.fsyncs() == 0 ? Double.NaN : w.fsyncSeconds() * 1e3 / w.fsyncs(), w.load()));
    }
    out.append('\n');
    for (boolean a : new boolean[] {true, false}) {
      Histogram all = merged(a);
      out.append(String.format(Locale.ROOT, "%-8s ops/s %s; p50 %.2f ms, p99 %.2f ms (all its "
          + "windows' operations); cpu %.1f us/op, loop threads %.2f us/op, journal threads "
          + "%.2f us/op%n", a ? aName : bName, estimate(values(a, Window::throughput)),
          all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
          microsPerOp(a, Window::cpuSeconds), microsPerOp(a, Window::loopCpuSeconds),
          microsPerOp(a, Window::journalCpuSeconds)));
    }
    out.append(String.format(Locale.ROOT, "%s/%s per pair (geometric mean, 95 %% interval): "
        + "throughput %s, p50 %s, p99 %s, cpu per op %s, loop cpu per op %s%n", aName, bName,
        ratio(pairRatios(Window::throughput)), ratio(pairRatios(w -> w.millisAt(50))),
        ratio(pairRatios(w -> w.millisAt(99))), ratio(pairRatios(w -> perOp(w.cpuSeconds(), w))),
        ratio(pairRatios(w -> perOp(w.loopCpuSeconds(), w)))));
    if (stalledPairs() > 0) {
      out.append(String.format(Locale.ROOT, "(%d pairs left out of the ratios: a window in them"
          + " completed no operation)%n", stalledPairs()));
    }
    return out.toString();
  }
}
