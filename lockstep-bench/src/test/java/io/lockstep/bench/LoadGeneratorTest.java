package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  private static final Duration WARMUP = Duration.ofMillis(200);

  private static Workload workload(int clients, Duration duration, double w, double r, double c) {
    return new Workload(clients, duration, WARMUP, w, r, c, 16, 100);
  }

  private static BenchResult run(KvTarget target, Workload workload) throws InterruptedException {
    return new LoadGenerator(target, workload, 42L, line -> {}).run();
  }

  @Test
  void closedLoopNeverHasMoreThanClientsOperationsInFlight() throws Exception {
    try (InMemoryTarget target = new InMemoryTarget(2_000)) {
      BenchResult result = run(target, workload(8, Duration.ofMillis(800), 1, 0, 0));

      assertThat(target.maxInFlight.get()).isEqualTo(8);
      assertThat(result.ops()).isPositive();
      assertThat(result.errors()).isEmpty();
    }
  }

  @Test
  void throughputIsBoundedByClientsOverLatencyAndLatencyIncludesTheServiceDelay()
      throws Exception {
    try (InMemoryTarget target = new InMemoryTarget(5_000)) {
      BenchResult result = run(target, workload(4, Duration.ofSeconds(1), 1, 0, 0));

      // Closed loop (Little's law): at most 4 clients / 5 ms = 800 operations per second.
      assertThat(result.opsPerSecond()).isBetween(200.0, 800.0 * 1.05);
      assertThat(result.p50Micros()).isGreaterThanOrEqualTo(5_000);
      assertThat(result.maxMicros()).isGreaterThanOrEqualTo(result.p999Micros());
      assertThat(result.latencies().getTotalCount()).isEqualTo(result.ops());
    }
  }

  @Test
  void onlyOperationsCompletedInTheMeasuredWindowAreCounted() throws Exception {
    try (InMemoryTarget target = new InMemoryTarget(1_000)) {
      BenchResult result = run(target, workload(2, Duration.ofMillis(500), 1, 0, 0));

      // Warmup (200 ms) operations reached the target but are not in the result.
      assertThat(result.ops()).isPositive().isLessThan(target.total());
      assertThat(result.opsPerSecond()).isEqualTo(result.ops() / 0.5);
    }
  }

  @Test
  void operationKindsFollowTheMixFractions() throws Exception {
    try (InMemoryTarget target = new InMemoryTarget(0)) {
      run(target, workload(4, Duration.ofMillis(300), 0.5, 0.3, 0.2));

      double total = target.total();
      assertThat(total).isGreaterThan(10_000);
      assertThat(target.writes.get() / total).isCloseTo(0.5, offset(0.02));
      assertThat(target.reads.get() / total).isCloseTo(0.3, offset(0.02));
      assertThat(target.cases.get() / total).isCloseTo(0.2, offset(0.02));
    }
  }

  @Test
  void targetAnsweringSynchronouslyDoesNotRecurseIntoAStackOverflow() throws Exception {
    try (InMemoryTarget target = new InMemoryTarget(0)) {
      BenchResult result = run(target, workload(1, Duration.ofMillis(300), 1, 0, 0));

      assertThat(result.errors()).isEmpty();
      assertThat(result.ops()).isGreaterThan(10_000);
    }
  }

  @Test
  void failuresAreCountedByTheirRootCauseTypeAndNotAsOperations() throws Exception {
    AtomicLong calls = new AtomicLong();
    KvTarget failing = new FailingTarget(calls);

    BenchResult result = run(failing, workload(2, Duration.ofMillis(300), 1, 0, 0));

    assertThat(result.errors()).containsOnlyKeys("TimeoutException", "IllegalStateException");
    assertThat(result.ops()).isPositive();
    assertThat(result.ops() + result.errorCount()).isLessThanOrEqualTo(calls.get());
    assertThat(result.errors().get("TimeoutException"))
        .isGreaterThan(result.errors().get("IllegalStateException"));
  }

  @Test
  void operationsThatNeverCompleteAreReportedIncompleteAfterTheDrainTimeout() throws Exception {
    KvTarget silent = new FailingTarget(new AtomicLong()) {
      @Override
      public CompletableFuture<?> write(String key, byte[] value) {
        return new CompletableFuture<>();
      }
    };
    Workload workload = workload(3, Duration.ofMillis(100), 1, 0, 0);

    BenchResult result =
        new LoadGenerator(silent, workload, 1L, line -> {}, Duration.ofMillis(100)).run();

    assertThat(result.ops()).isZero();
    assertThat(result.errors()).containsExactly(java.util.Map.entry(LoadGenerator.INCOMPLETE, 3L));
  }

  @Test
  void progressLinesArePrintedEverySecond() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (InMemoryTarget target = new InMemoryTarget(1_000)) {
      Workload workload =
          new Workload(2, Duration.ofMillis(1_000), Duration.ofMillis(1_300), 1, 0, 0, 16, 100);
      new LoadGenerator(target, workload, 1L, lines::add).run();
    }

    assertThat(lines).hasSizeBetween(2, 3);
    assertThat(lines.get(0)).contains("warmup", "ops/s", "in flight");
    assertThat(lines.get(lines.size() - 1)).contains("measure");
  }

  @Test
  void sameSeedDrawsTheSameOperationSequence() throws Exception {
    List<String> first = keysDrawn(7L);
    List<String> second = keysDrawn(7L);
    assertThat(first).isNotEmpty();
    assertThat(second.subList(0, Math.min(first.size(), second.size()) / 2))
        .isEqualTo(first.subList(0, Math.min(first.size(), second.size()) / 2));
  }

  private static List<String> keysDrawn(long seed) throws InterruptedException {
    List<String> keys = new CopyOnWriteArrayList<>();
    KvTarget recording = new FailingTarget(new AtomicLong()) {
      @Override
      public CompletableFuture<?> write(String key, byte[] value) {
        keys.add(key);
        return CompletableFuture.completedFuture(null);
      }
    };
    // Long enough that even a starved CI machine draws some keys (50 ms once drew none).
    new LoadGenerator(recording, new Workload(1, Duration.ofMillis(500), Duration.ZERO, 1, 0, 0,
        8, 1_000), seed, line -> {}).run();
    return keys;
  }

  /** Fails every 10th write with a wrapped timeout and every 50th by throwing. */
  private static class FailingTarget implements KvTarget {
    private final AtomicLong calls;

    FailingTarget(AtomicLong calls) {
      this.calls = calls;
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
      long n = calls.incrementAndGet();
      if (n % 50 == 0) {
        throw new IllegalStateException("thrown by the target");
      }
      if (n % 10 == 0) {
        return CompletableFuture.failedFuture(new CompletionException(new TimeoutException()));
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<?> read(String key) {
      return write(key, null);
    }

    @Override
    public CompletableFuture<?> cas(String key, byte[] expected, byte[] value) {
      return write(key, value);
    }

    @Override
    public void close() {}
  }
}
