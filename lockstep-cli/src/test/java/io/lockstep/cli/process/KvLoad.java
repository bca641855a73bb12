package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.check.History;
import io.lockstep.check.LinearizabilityChecker;
import io.lockstep.check.Op;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Closed-loop Jedis clients writing unique values and reading a few shared keys, each client on
 * its own replica's Redis port (or all on one voting proxy), recording every invocation and
 * outcome in a {@link History} (paper §4: histories are what clients observe). A write without an answer, or with an error
 * reply, is recorded {@code info} (indeterminate: it may yet take effect) and its client goes on
 * as a new process; a read with an error is recorded {@code fail} (reads change nothing).
 */
final class KvLoad implements AutoCloseable {
  private final java.util.function.IntFunction<Jedis> connect;
  private final int ports;
  private final History history = new History();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong okWrites = new AtomicLong();
  private final AtomicLong lastOkWriteNanos = new AtomicLong();
  /** Error replies (not lost connections), first ones kept for failure messages. */
  private final List<String> errorReplies = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final int keys;
  private volatile boolean stopping;

  KvLoad(ProcessCluster cluster, int clients, int keys) {
    this(cluster::jedis, cluster.size, clients, keys);
  }

  /**
   * Clients that connect through {@code connect} (given 1 to {@code ports}; a client moves to
   * the next one after a connection fails), e.g. every client to one voting proxy.
   */
  KvLoad(java.util.function.IntFunction<Jedis> connect, int ports, int clients, int keys) {
    this.connect = connect;
    this.ports = ports;
    this.keys = keys;
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> run(client), "kv-load-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  KvLoad start() {
    threads.forEach(Thread::start);
    return this;
  }

  long okWrites() {
    return okWrites.get();
  }

  /** Waits up to {@code seconds} until {@code count} writes were acknowledged. */
  void awaitWrites(long count, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (okWrites() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(okWrites()).as("acknowledged writes; errors %s", errorReplies())
        .isGreaterThanOrEqualTo(count);
  }

  /**
   * Waits up to {@code seconds} until a write was acknowledged after {@code nanos}
   * ({@link System#nanoTime()}, e.g. a kill) and {@code count} in all.
   */
  void awaitWritesAfter(long nanos, long count, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while ((!wroteAfter(nanos) || okWrites() < count) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(wroteAfter(nanos)).as("writes acknowledged after the kill; errors %s",
        errorReplies()).isTrue();
    assertThat(okWrites()).isGreaterThanOrEqualTo(count);
  }

  /** The error replies the clients got (at most the first 20). */
  List<String> errorReplies() {
    return List.copyOf(errorReplies);
  }

  /** Acknowledged writes after {@code nanos} ({@link System#nanoTime()}): true if any. */
  boolean wroteAfter(long nanos) {
    return lastOkWriteNanos.get() > nanos;
  }

  private void run(int client) {
    SplittableRandom random = new SplittableRandom(client);
    int replica = client % ports + 1;
    int generation = 0;
    long count = 0;
    Jedis jedis = connect.apply(replica);
    while (!stopping) {
      int process = client * 10_000 + generation;
      String key = "k" + random.nextInt(keys);
      boolean write = random.nextInt(10) < 6;
      try {
        if (write) {
          String value = "c" + client + "-" + count++;
          record(Op.write(process, key, value, 0));
          jedis.set(key, value);
          completeWrite(process, key, value);
        } else {
          record(Op.read(process, key, 0));
          String value = jedis.get(key);
          record(Op.read(process, key, 0).completeRead(value, 0));
        }
      } catch (JedisException e) {
        if (e instanceof redis.clients.jedis.exceptions.JedisDataException
            && errorReplies.size() < 20) {
          errorReplies.add(e.getMessage());
        }
        if (write) {
          recordInfo(process);
          generation++;
        } else {
          recordFail(process);
        }
        if (e instanceof JedisConnectionException) {
          jedis.close();
          replica = replica % ports + 1;
          pause(50);
          jedis = connect.apply(replica);
        }
      }
    }
    jedis.close();
  }

  private void completeWrite(int process, String key, String value) {
    synchronized (history) {
      long now = System.nanoTime();
      history.add(Op.write(process, key, value, now).completeOk(now));
      okWrites.incrementAndGet();
      lastOkWriteNanos.set(now);
    }
  }

  /** Adds an event stamped with the current time, under the history's lock so times ascend. */
  private void record(Op op) {
    synchronized (history) {
      long now = System.nanoTime();
      history.add(new Op(op.process(), op.type(), op.f(), op.key(), op.value(), op.expected(),
          now));
    }
  }

  private void recordInfo(int process) {
    synchronized (history) {
      Op invoke = outstanding(process);
      history.add(invoke.completeInfo(System.nanoTime()));
    }
  }

  private void recordFail(int process) {
    synchronized (history) {
      Op invoke = outstanding(process);
      history.add(invoke.completeFail(System.nanoTime()));
    }
  }

  private Op outstanding(int process) {
    List<Op> ops = history.ops();
    for (int i = ops.size() - 1; i >= 0; i--) {
      if (ops.get(i).process() == process) {
        return ops.get(i);
      }
    }
    throw new IllegalStateException("no invocation of process " + process);
  }

  /** Reads every key once more through {@code jedis} (a final, fresh process) into the history. */
  void finalReads(Jedis jedis) {
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      record(Op.read(999_999, key, 0));
      String value = jedis.get(key);
      record(Op.read(999_999, key, 0).completeRead(value, 0));
    }
  }

  /** Stops the clients and waits for them to finish their last operation. */
  void stop() throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.join(15_000);
    }
  }

  /**
   * Exports the history to {@code target/histories/<name>.jsonl} and checks it is linearizable.
   */
  void checkAndExport(String name) throws IOException {
    Path dir = Path.of("target", "histories");
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".jsonl");
    synchronized (history) {
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        history.writeJsonLines(w);
      }
      LinearizabilityChecker.Result result = LinearizabilityChecker.check(history, 5_000_000);
      assertThat(result.verdict()).as("history %s (%d events): %s", file, history.size(),
              result.explanation())
          .isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
