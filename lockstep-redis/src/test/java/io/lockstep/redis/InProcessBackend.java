package io.lockstep.redis;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.order.Ordered;
import io.lockstep.order.Role;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A backend with no replication: one {@link Executor} over a {@link RedisStore}, owned by one
 * loop thread, with positions assigned in arrival order and agreed time read from a clock the
 * test controls. Numbers each client's writes 1, 2, 3… as the {@link RedisBackend} contract asks.
 */
final class InProcessBackend implements RedisBackend, AutoCloseable {
  private static final ClientId CLOCK = ClientId.of("test:clock");

  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "in-process-backend");
    t.setDaemon(true);
    return t;
  });
  private final Executor executor;
  private final LongSupplier clock;
  /** Loop-confined. */
  private final Map<ClientId, Long> sequences = new HashMap<>();
  private long position;
  private long clockSequence;
  private volatile ReplicaInfo info = new ReplicaInfo.Fixed(1, Role.LEADER, 1, 1, 0, 0);
  private volatile int disconnected;

  InProcessBackend(RedisStore store, LongSupplier clock) {
    this.executor = new Executor(store, ExecutorConfig.defaults(1));
    this.clock = clock;
  }

  @Override
  public CompletableFuture<byte[]> write(ClientId client, byte[] command) {
    return CompletableFuture.supplyAsync(() -> apply(client, command), loop);
  }

  @Override
  public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return executor.query(client, query);
      } catch (Rejection r) {
        throw new BackendException.Rejected(r.getMessage());
      }
    }, loop);
  }

  @Override
  public ReplicaInfo info() {
    return info;
  }

  @Override
  public void disconnected(ClientId client) {
    disconnected++;
  }

  int disconnectedCount() {
    return disconnected;
  }

  /** Orders a null request at the clock's current time, so due expiries fire (a replica tick). */
  void tick() {
    CompletableFuture.runAsync(() -> order(Request.nullRequest(CLOCK, ++clockSequence)), loop)
        .join();
  }

  /** Runs {@code task} on the loop thread with the executor and waits. */
  <T> T onLoop(java.util.function.Function<Executor, T> task) {
    return CompletableFuture.supplyAsync(() -> task.apply(executor), loop).join();
  }

  private byte[] apply(ClientId client, byte[] command) {
    long sequence = sequences.merge(client, 1L, Long::sum);
    for (Reply reply : order(Request.command(client, sequence, command))) {
      if (reply.client().equals(client) && reply.sequence() == sequence) {
        if (reply.status() == Reply.Status.REJECTED) {
          throw new BackendException.Rejected(reply.reason());
        }
        return reply.value();
      }
    }
    throw new IllegalStateException("no reply for " + client + "#" + sequence);
  }

  private List<Reply> order(Request request) {
    position++;
    List<Reply> replies = executor.apply(new Ordered(position, clock.getAsLong(), request));
    info = new ReplicaInfo.Fixed(1, Role.LEADER, 1, 1, position, executor.appliedPosition());
    return replies;
  }

  @Override
  public void close() {
    loop.shutdown();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
