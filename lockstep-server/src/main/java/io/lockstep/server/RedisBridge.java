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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connects the Redis port to the replica ({@link RedisBackend}). Each Redis connection is a
 * client session whose writes are numbered 1, 2, 3… here. A write is proposed locally when this
 * replica leads and forwarded to the leader otherwise; an attempt that is redirected, refused as
 * busy (the loop's queue or byte budget is full, or the executor's window of the session's
 * waiting requests is full), or lost with a connection is retried with the <em>same</em>
 * sequence number, with a growing back-off, until a reply arrives or the request timeout
 * passes (the executor's session answers a retry of a request that already ran from its cache,
 * X4; a window-full refusal neither ran nor kept the request, so its retry is the only way it
 * ever runs, and reporting it as final would leave the connection's later writes waiting for
 * it). A write without an outcome by then is reported TIMEOUT (indeterminate), never as a
 * failure (the write may still commit); a read, which changes nothing, is reported BUSY when the
 * last attempt was refused as busy. Reads are retried alike and are always served by the leader
 * (ReadIndex, S12).
 *
 * <p>At most {@link SessionWindow#LIMIT} writes of one connection are in flight; later ones
 * wait, numbered, until earlier ones have their outcome, so the connection's own pipelining
 * cannot overflow the executor's window of waiting requests (see {@link SessionWindow}). An
 * "unknown session" answer before any write of the connection was answered means only that
 * its first write was refused busy and overtaken (nothing ran), so it is retried too.
 *
 * <p>Each command holds one guard task on the shared timer (bounding its wait even if an
 * attempt's answer never comes), cancelled as soon as the command has its outcome, so the
 * timer's queue holds only the commands still waiting.
 */
final class RedisBridge implements RedisBackend {
  /** First retry delay; doubled per retry of the same command up to {@link #MAX_RETRY_MILLIS}. */
  static final long RETRY_MILLIS = 5;
  static final long MAX_RETRY_MILLIS = 100;
  /** How long past the request timeout the guard fires (the attempts' own deadline is first). */
  private static final long GUARD_SLACK_NANOS = 50_000_000L;

  private final int self;
  private final ClientIntake loop;
  private final LeaderForwarder forwarder;
  private final ScheduledExecutorService timer;
  private final long timeoutNanos;
  private final Map<ClientId, AtomicLong> sequences = new ConcurrentHashMap<>();
  private final Map<ClientId, SessionWindow> windows = new ConcurrentHashMap<>();
  /** Reads' tags when there is no forwarder to reserve them from (a lone replica, tests). */
  private final AtomicLong readTags = new AtomicLong();

  RedisBridge(int self, ClientIntake loop, LeaderForwarder forwarder,
      ScheduledExecutorService timer, long timeoutMillis) {
    this.self = self;
    this.loop = loop;
    this.forwarder = forwarder;
    this.timer = timer;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
  }

  /**
   * Numbers the write now (in call order) but starts it only when the session's
   * {@link SessionWindow} has room; its request timeout counts from its start.
   */
  @Override
  public CompletableFuture<byte[]> write(ClientId client, byte[] command) {
    long sequence = sequences.computeIfAbsent(client, c -> new AtomicLong()).incrementAndGet();
    SessionWindow window = windows.computeIfAbsent(client, c -> new SessionWindow());
    Attempt attempt = new Attempt(Request.command(client, sequence, command), null, null,
        window);
    attempt.future.whenComplete((output, failure) -> window.completed());
    window.admit(attempt::begin);
    return attempt.future;
  }

  @Override
  public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
    Attempt attempt = new Attempt(null, client, query, null);
    attempt.begin();
    return attempt.future;
  }

  @Override
  public ReplicaInfo info() {
    StatusView s = loop.status();
    return new ReplicaInfo.Fixed(s.id(), s.role(), s.term(), s.leader(), s.commitIndex(),
        s.applied());
  }

  @Override
  public void disconnected(ClientId client) {
    sequences.remove(client);
    // Writes still waiting in the window hold it and start as earlier ones complete.
    windows.remove(client);
  }

  /** One Redis command until it has an outcome: a write (request set) or a read. */
  private final class Attempt implements Origin {
    final Request request;
    final ClientId reader;
    final byte[] query;
    /**
     * A read's tag (-1 for a write, which its sequence number names): the replica journals the
     * read it serves by its reader and this tag, so the timeline draws the read as a bar with
     * the replica's marks (taken, answered), as it does a network client's.
     */
    final long tag;
    final CompletableFuture<byte[]> future = new CompletableFuture<>();
    private volatile long deadline;
    /** Retries so far (for the back-off); touched by one answer at a time. */
    private volatile int retries;
    private volatile boolean lastBusy;

    /** The write's session window (null for reads). */
    private final SessionWindow window;

    Attempt(Request request, ClientId reader, byte[] query, SessionWindow window) {
      this.request = request;
      this.reader = reader;
      this.query = query;
      this.window = window;
      this.tag = request != null ? -1
          : forwarder != null ? forwarder.reserveTag() : readTags.incrementAndGet();
    }

    @Override
    public long tag() {
      return tag;
    }

    /** Bounds every command's wait even if an attempt's answer never comes. */
    void begin() {
      deadline = System.nanoTime() + timeoutNanos;
      ScheduledFuture<?> guard;
      try {
        guard = timer.schedule(() -> retry(-1, "no answer", false),
            timeoutNanos + GUARD_SLACK_NANOS, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        future.completeExceptionally(new BackendException.Rejected("replica stopping"));
        return;
      }
      // Answered in time (the usual case): the guard leaves the timer's queue at once.
      future.whenComplete((output, failure) -> guard.cancel(false));
      start();
    }

    void start() {
      StatusView s = loop.status();
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
      if (Executor.windowFull(reply.reason())) {
        retry(-1, reply.reason(), true);
        return;
      }
      boolean unknown = reply.status() == Reply.Status.REJECTED
          && reply.reason().equals(Executor.UNKNOWN_SESSION);
      if (unknown && !window.isOpened() && request.sequence() > 1) {
        retry(-1, "the session's first request has not been ordered yet", true);
        return;
      }
      if (!unknown) {
        window.opened();
      }
      if (reply.status() == Reply.Status.OK) {
        future.complete(reply.value());
      } else if (unknown) {
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
      retry(leaderHint, reason, false);
    }

    @Override
    public void busy(String reason) {
      retry(-1, reason, true);
    }

    private void retry(int leaderHint, String reason, boolean busy) {
      if (future.isDone()) {
        return;
      }
      lastBusy = busy;
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        future.completeExceptionally(outcomeAtDeadline(leaderHint, reason));
        return;
      }
      try {
        timer.schedule(this::start, Math.min(backOffNanos(), left), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        future.completeExceptionally(request == null
            ? new BackendException.Rejected("replica stopping")
            : new BackendException.Indeterminate("replica stopping"));
      }
    }

    /** Exponential back-off with jitter, so refused commands do not return all at once. */
    private long backOffNanos() {
      int n = retries++;
      long millis = Math.min(MAX_RETRY_MILLIS, RETRY_MILLIS << Math.min(n, 10));
      long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
      return nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    }

    private BackendException outcomeAtDeadline(int leaderHint, String reason) {
      if (request != null) {
        return new BackendException.Indeterminate("no outcome in time (last: " + reason + ")");
      }
      return lastBusy ? new BackendException.Busy(reason)
          : new BackendException.NotLeader(leaderHint, null);
    }
  }
}
