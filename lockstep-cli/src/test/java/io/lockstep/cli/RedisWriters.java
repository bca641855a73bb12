package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Two Redis clients writing unique keys to a 4-replica local cluster while a membership test
 * kills and replaces replicas: each moves to the next replica (1–4) when one fails and records
 * every write acknowledged, so the test can read each one back at the end.
 */
final class RedisWriters {
  /** Every acknowledged write, key to value. */
  final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final AtomicLong lastAck = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;

  /** Starts the two writers against Redis ports {@code base + 1 … base + 4}. */
  static RedisWriters start(int base, String name) {
    RedisWriters writers = new RedisWriters();
    for (int c = 0; c < 2; c++) {
      int client = c;
      Thread t = new Thread(() -> writers.write(base, client), name + "-writer-" + c);
      t.setDaemon(true);
      t.start();
      writers.threads.add(t);
    }
    return writers;
  }

  private void write(int base, int client) {
    int replica = client + 1;
    long n = 0;
    Jedis jedis = new Jedis("127.0.0.1", base + replica, 5_000);
    while (!stopping) {
      String key = "c" + client + "-" + n++;
      try {
        if ("OK".equals(jedis.set(key, key))) {
          acknowledged.put(key, key);
          lastAck.set(System.nanoTime());
        }
      } catch (JedisException e) {
        jedis.close();
        replica = replica % 4 + 1;
        jedis = new Jedis("127.0.0.1", base + replica, 5_000);
        pause(50);
      }
    }
    jedis.close();
  }

  /** Waits up to 30 s until {@code count} writes were acknowledged. */
  void awaitAcks(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(acknowledged.size()).isGreaterThanOrEqualTo(count);
  }

  /** Waits up to 30 s for acknowledgements after {@code nanos} ({@code what}: the event). */
  void awaitAcksAfter(long nanos, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int before = acknowledged.size();
    while ((lastAck.get() <= nanos || acknowledged.size() < before + 50)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(lastAck.get()).as("a write acknowledged after " + what).isGreaterThan(nanos);
  }

  /** Stops the writers and waits for them. */
  void stop() throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.join(15_000);
    }
  }

  /** Stops the writers without waiting (after a failed test). */
  void abandon() {
    stopping = true;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
