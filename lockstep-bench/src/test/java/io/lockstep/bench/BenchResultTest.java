package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchResultTest {

  private static Histogram latencies(long... micros) {
    Histogram h = new Histogram(3);
    for (long m : micros) {
      h.recordValue(m);
    }
    return h;
  }

  @Test
  void percentilesAndThroughputComeFromTheHistogramAndTheWindow() {
    long[] micros = new long[1000];
    for (int i = 0; i < micros.length; i++) {
      micros[i] = i + 1;
    }
    BenchResult r = BenchResult.of(1000, 2.0, latencies(micros), Map.of());

    assertThat(r.opsPerSecond()).isEqualTo(500.0);
    assertThat(r.p50Micros()).isEqualTo(500);
    assertThat(r.p99Micros()).isEqualTo(990);
    assertThat(r.p999Micros()).isEqualTo(999);
    assertThat(r.maxMicros()).isEqualTo(1000);
  }

  @Test
  void reportShowsEveryFigureInMillisecondsAndTheErrorsByType() {
    BenchResult r = new BenchResult(34_000, 1_700.0, 17_000, 37_000, 48_000, 61_000,
        Map.of("TimeoutException", 2L, "NotLeaderException", 1L));

    assertThat(r.report()).contains("34,000", "1,700.0 ops/s", "17.000 ms", "37.000 ms",
        "48.000 ms", "61.000 ms", "3 (NotLeaderException 1, TimeoutException 2)");
    assertThat(r.errorCount()).isEqualTo(3);
  }

  @Test
  void histogramPrintsThePercentileDistribution() {
    BenchResult r = BenchResult.of(3, 1.0, latencies(1_000, 2_000, 3_000), Map.of());

    assertThat(r.histogram()).contains("values in ms", "Value", "Percentile", "#[Mean");
  }

  @Test
  void compareShowsBothSidesAndTheirRatio() {
    BenchResult fast = new BenchResult(10, 10_000.0, 500, 2_000, 3_000, 4_000, Map.of());
    BenchResult slow = new BenchResult(10, 1_000.0, 1_000, 40_000, 50_000, 60_000, Map.of());

    String table = BenchResult.compare("lockstep", fast, "ratis", slow);

    assertThat(table).contains("lockstep", "ratis", "10,000.0", "1,000.0", "10.00x", "0.05x");
  }

  @Test
  void percentilesMustNotDecrease() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BenchResult(1, 1.0, 10, 5, 20, 30, Map.of()))
        .withMessageContaining("non-decreasing");
  }

  @Test
  void resultIsImmutable() {
    Map<String, Long> errors = new HashMap<>(Map.of("X", 1L));
    Histogram h = latencies(10);
    BenchResult r = BenchResult.of(1, 1.0, h, errors);
    errors.put("Y", 2L);
    h.recordValue(20);
    r.latencies().recordValue(30);

    assertThat(r.errors()).containsOnlyKeys("X");
    assertThat(r.latencies().getTotalCount()).isEqualTo(1);
    assertThatThrownBy(() -> r.errors().put("Z", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void measurementCountsOnlyCompletionsInsideItsWindow() {
    Measurement m = new Measurement(1_000_000, 2_000_000);
    m.issued();
    m.success(0, 999_999);
    m.issued();
    m.success(1_000_000, 1_500_000);
    m.issued();
    m.success(1_500_000, 2_000_000);
    m.issued();
    m.failure(new CompletionException(new ExecutionException(new TimeoutException())), 1_200_000);
    m.issued();
    m.failure(new TimeoutException(), 2_000_001);

    BenchResult r = m.result();

    assertThat(r.ops()).isEqualTo(1);
    assertThat(r.opsPerSecond()).isEqualTo(1_000.0);
    assertThat(r.p50Micros()).isEqualTo(500);
    assertThat(r.errors()).containsExactly(Map.entry("TimeoutException", 1L));
    assertThat(m.completedTotal()).isEqualTo(3);
    assertThat(m.inFlight()).isZero();
  }
}
