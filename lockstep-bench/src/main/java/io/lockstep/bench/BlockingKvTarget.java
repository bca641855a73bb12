package io.lockstep.bench;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Adapts a blocking client (one request at a time per connection, like most Redis clients) to
 * {@link KvTarget}: a fixed pool of worker threads, each with its own connection, runs the calls.
 * Give it at least {@link Workload#clients()} threads, or clients will queue behind each other
 * and the load will no longer be closed-loop per client.
 */
public final class BlockingKvTarget implements KvTarget {

  /** One blocking connection; used by one worker thread only. */
  @SuppressWarnings("try") // close() may throw anything its client library throws
  public interface Connection extends AutoCloseable {
    /** Writes {@code value} under {@code key}, returning once the service acknowledged it. */
    void write(String key, byte[] value) throws Exception;

    /** Reads {@code key}; the answer is ignored by the load generator. */
    Object read(String key) throws Exception;

    /** Compare-and-set; a mismatch is a normal answer, not an exception. */
    Object cas(String key, byte[] expected, byte[] value) throws Exception;
  }

  /** A blocking call that may throw a checked exception. */
  private interface Call {
    Object run(Connection connection) throws Exception;
  }

  private final ExecutorService workers;
  private final ThreadLocal<Connection> connection;
  private final List<Connection> opened = new CopyOnWriteArrayList<>();

  /** A target running calls on {@code threads} workers, each opening its connection on first use. */
  public BlockingKvTarget(Supplier<? extends Connection> connect, int threads) {
    Objects.requireNonNull(connect, "connect must not be null");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    AtomicInteger count = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "bench-blocking-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.connection = ThreadLocal.withInitial(() -> {
      Connection c = Objects.requireNonNull(connect.get(), "connect returned null");
      opened.add(c);
      return c;
    });
  }

  @Override
  public CompletableFuture<?> write(String key, byte[] value) {
    return submit(c -> {
      c.write(key, value);
      return null;
    });
  }

  @Override
  public CompletableFuture<?> read(String key) {
    return submit(c -> c.read(key));
  }

  @Override
  public CompletableFuture<?> cas(String key, byte[] expected, byte[] value) {
    return submit(c -> c.cas(key, expected, value));
  }

  private CompletableFuture<Object> submit(Call call) {
    CompletableFuture<Object> answer = new CompletableFuture<>();
    workers.execute(() -> {
      try {
        answer.complete(call.run(connection.get()));
      } catch (Exception | Error e) {
        answer.completeExceptionally(e);
      }
    });
    return answer;
  }

  /**
   * Stops the workers (waiting up to 5 s for running calls) and closes every connection.
   *
   * @throws IOException carrying the first failure to close a connection (others suppressed)
   */
  @Override
  public void close() throws IOException {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    IOException failure = null;
    for (Connection c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IOException("closing a connection failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
