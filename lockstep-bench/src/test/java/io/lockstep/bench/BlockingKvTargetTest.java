package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockingKvTargetTest {

  /** A connection that sleeps 1 ms per call and remembers which threads used it. */
  private static final class SleepyConnection implements BlockingKvTarget.Connection {
    final Set<Thread> users = ConcurrentHashMap.newKeySet();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public void write(String key, byte[] value) throws Exception {
      users.add(Thread.currentThread());
      if (key.equals("bad")) {
        throw new IOException("connection reset");
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }

    @Override
    public Object read(String key) throws Exception {
      write(key, null);
      return null;
    }

    @Override
    public Object cas(String key, byte[] expected, byte[] value) throws Exception {
      write(key, value);
      return Boolean.TRUE;
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  @Test
  void eachWorkerThreadUsesItsOwnConnectionAndCloseClosesEveryOne() throws Exception {
    List<SleepyConnection> connections = new CopyOnWriteArrayList<>();
    BlockingKvTarget target = new BlockingKvTarget(() -> {
      SleepyConnection c = new SleepyConnection();
      connections.add(c);
      return c;
    }, 4);

    BenchResult result = new LoadGenerator(target,
        new Workload(4, Duration.ofMillis(300), Duration.ZERO, 0.4, 0.3, 0.3, 8, 10), 1L,
        line -> {}).run();
    target.close();

    assertThat(result.ops()).isPositive();
    assertThat(connections).hasSizeBetween(1, 4);
    assertThat(connections).allSatisfy(c -> {
      assertThat(c.users).hasSize(1);
      assertThat(c.closed.get()).isEqualTo(1);
    });
  }

  @Test
  void aThrowingCallFailsItsFutureWithTheCause() throws Exception {
    try (BlockingKvTarget target = new BlockingKvTarget(SleepyConnection::new, 1)) {
      var answer = target.write("bad", new byte[1]);

      assertThat(answer).failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IOException.class);
    }
  }
}
