package io.lockstep.server;

import io.lockstep.executor.Executor;
import io.lockstep.machine.ClientId;
import io.lockstep.redis.BackendException;
import io.lockstep.redis.RedisBackend;
import io.lockstep.redis.ReplicaInfo;
import io.lockstep.order.Role;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.server.wire.ClientMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Connects the Redis port to the replica ({@link RedisBackend}). Each Redis connection is a
 * client session whose writes are numbered 1, 2, 3… here. A write is proposed locally when this
 * replica leads and forwarded to the leader otherwise; an attempt that is redirected, refused as
 * busy, or lost with a connection is retried with the <em>same</em> sequence number until a
 * reply arrives or the request timeout passes (the executor's session answers a retry of a
 * request that already ran from its cache, X4). A write without an outcome by then is reported
 * TIMEOUT (indeterminate), never as a failure (FAULTS.md 19). Reads are retried alike and are
 * always served by the leader (ReadIndex, S12).
 */
final class RedisBridge implements RedisBackend {
  private static final long RETRY_MILLIS = 10;

  private final int self;
  private final ReplicaLoop loop;
  private final LeaderForwarder forwarder;
  private final ScheduledExecutorService timer;
  private final long timeoutNanos;
  private final Supplier<StatusView> status;
  private final Map<ClientId, AtomicLong> sequences = new ConcurrentHashMap<>();

  RedisBridge(int self, ReplicaLoop loop, LeaderForwarder forwarder,
      ScheduledExecutorService timer, long timeoutMillis) {
    this.self = self;
    this.loop = loop;
    this.forwarder = forwarder;
    this.timer = timer;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.status = loop::status;
  }

  @Override
  public CompletableFuture<byte[]> write(ClientId client, byte[] command) {
    long sequence = sequences.computeIfAbsent(client, c -> new AtomicLong()).incrementAndGet();
    Attempt attempt = new Attempt(Request.command(client, sequence, command), null, null,
        System.nanoTime() + timeoutNanos);
    attempt.begin();
    return attempt.future;
  }

  @Override
  public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
    Attempt attempt = new Attempt(null, client, query, System.nanoTime() + timeoutNanos);
    attempt.begin();
    return attempt.future;
  }

  @Override
  public ReplicaInfo info() {
    StatusView s = status.get();
    return new ReplicaInfo.Fixed(s.id(), s.role(), s.term(), s.leader(), s.commitIndex(),
        s.applied());
  }

  @Override
  public void disconnected(ClientId client) {
    sequences.remove(client);
  }

  /** One Redis command until it has an outcome: a write (request set) or a read. */
  private final class Attempt implements Origin {
    final Request request;
    final ClientId reader;
    final byte[] query;
    final long deadline;
    final CompletableFuture<byte[]> future = new CompletableFuture<>();

    Attempt(Request request, ClientId reader, byte[] query, long deadline) {
      this.request = request;
      this.reader = reader;
      this.query = query;
      this.deadline = deadline;
    }

    /** Bounds every command's wait even if an attempt's answer never comes. */
    void begin() {
      try {
        timer.schedule(() -> retry(-1, "no answer"), timeoutNanos + 50_000_000L,
            TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        future.completeExceptionally(new BackendException.Rejected("replica stopping"));
        return;
      }
      start();
    }

    void start() {
      StatusView s = status.get();
      if (s.role() == Role.LEADER || s.leader() < 0 || s.leader() == self) {
        local();
      } else {
        forward(s.leader());
      }
    }

    private void local() {
      if (request != null) {
        loop.offerSubmit(request, this);
      } else {
        loop.offerRead(reader, query, this);
      }
    }

    private void forward(int leader) {
      forwarder.forward(leader, tag -> request != null ? new ClientMessage.Submit(tag, request)
          : new ClientMessage.Read(tag, reader, query), this);
    }

    @Override
    public void replied(Reply reply) {
      if (reply.status() == Reply.Status.OK) {
        future.complete(reply.value());
      } else if (reply.reason().equals(Executor.UNKNOWN_SESSION)) {
        future.completeExceptionally(new BackendException.SessionExpired());
      } else if (reply.reason().equals(Executor.DUPLICATE)) {
        future.completeExceptionally(new BackendException.Indeterminate(
            "the command was applied but its reply was lost; read the key to see its effect"));
      } else {
        future.completeExceptionally(new BackendException.Rejected(reply.reason()));
      }
    }

    @Override
    public void readResult(QueryResult result) {
      if (result.ok()) {
        future.complete(result.value());
      } else {
        future.completeExceptionally(new BackendException.Rejected(result.reason()));
      }
    }

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {
      retry(leaderHint, reason);
    }

    @Override
    public void busy(String reason) {
      retry(-1, reason);
    }

    private void retry(int leaderHint, String reason) {
      if (future.isDone()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        future.completeExceptionally(request == null
            ? new BackendException.NotLeader(leaderHint, null)
            : new BackendException.Indeterminate("no outcome in time (last: " + reason + ")"));
        return;
      }
      try {
        timer.schedule(this::start, RETRY_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        future.completeExceptionally(request == null
            ? new BackendException.Rejected("replica stopping")
            : new BackendException.Indeterminate("replica stopping"));
      }
    }
  }
}
