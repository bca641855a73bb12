package io.lockstep.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link KvTarget} over a {@link ConcurrentHashMap} that answers each operation after an
 * artificial delay on its own scheduler (or at once when the delay is 0), and counts what it saw:
 * operations by kind, and the most that were ever in flight at the same time.
 */
final class InMemoryTarget implements KvTarget {

  private final Map<String, byte[]> map = new ConcurrentHashMap<>();
  private final long delayMicros;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "in-memory-target");
    t.setDaemon(true);
    return t;
  });
  final AtomicLong writes = new AtomicLong();
  final AtomicLong reads = new AtomicLong();
  final AtomicLong cases = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  InMemoryTarget(long delayMicros) {
    this.delayMicros = delayMicros;
  }

  long total() {
    return writes.get() + reads.get() + cases.get();
  }

  @Override
  public CompletableFuture<?> write(String key, byte[] value) {
    writes.incrementAndGet();
    return answer(() -> map.put(key, value));
  }

  @Override
  public CompletableFuture<?> read(String key) {
    reads.incrementAndGet();
    return answer(() -> map.get(key));
  }

  @Override
  public CompletableFuture<?> cas(String key, byte[] expected, byte[] value) {
    cases.incrementAndGet();
    return answer(() -> map.computeIfPresent(key, (k, old) -> Arrays.equals(old, expected)
        ? value : old));
  }

  private CompletableFuture<Object> answer(Supplier<Object> operation) {
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    CompletableFuture<Object> answer = new CompletableFuture<>();
    Runnable complete = () -> {
      Object result = operation.get();
      inFlight.decrementAndGet();
      answer.complete(result);
    };
    if (delayMicros == 0) {
      complete.run();
    } else {
      scheduler.schedule(complete, delayMicros, TimeUnit.MICROSECONDS);
    }
    return answer;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
