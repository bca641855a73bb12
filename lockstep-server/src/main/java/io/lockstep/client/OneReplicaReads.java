package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.net.FrameConnection;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fail-stop {@link LockstepClient}'s reads from one replica (paper §3: under fail-stop a
 * read-only request may go to one replica, since every replica's state is correct, if perhaps
 * behind). A read goes to the replica that answered the last one (at first the first address
 * of the options: list the nearest first), which answers at once from the state it has applied.
 *
 * <p>Read-your-writes and monotonic reads across replicas: every read carries the highest
 * position this client has seen (its requests' replies and its earlier reads' answers, in any
 * of its sessions) as the minimum the answer must reflect. A replica that has not applied it
 * answers "behind"; the read then tries the next replica, and after a round in which none could
 * answer, waits (20 ms doubling to 320 ms) and goes round again, until the deadline. A replica
 * that does not answer within the attempt time-out, a closed connection and a busy replica
 * move the read on the same way. A refusal no other replica would change (the Byzantine model,
 * the state machine's rejection) fails the read with {@link RejectedException}; no answer by
 * the deadline fails it with {@link UnavailableException}. Nothing is ever ordered. A
 * Byzantine-mode client refuses such a read itself, before sending anything.
 */
final class OneReplicaReads {
  private static final long RETRY_MILLIS = 20;
  private static final long MAX_ROUND_WAIT_MILLIS = 320;

  private final ClientOptions options;
  private final ReplicaBook book;
  private final ScheduledExecutorService timer;
  private final AtomicLong tags;
  private final AtomicLong retries;
  private final java.util.concurrent.Executor completions;
  private final Map<Long, Read> inFlight = new ConcurrentHashMap<>();
  /** Every read without an outcome, in flight or waiting to go round again (for close). */
  private final java.util.Set<Read> open = ConcurrentHashMap.newKeySet();
  /** The highest position this client has seen; each read asks for at least it. */
  private final AtomicLong seen = new AtomicLong();
  /** The slot that answered last: reads stay with it while it answers. */
  private volatile int preferred;

  /** One read until it has an outcome. */
  private static final class Read {
    final ClientId reader;
    final byte[] query;
    final long minPosition;
    final CompletableFuture<OneReplicaAnswer> future = new CompletableFuture<>();
    int target;
    /** Slots tried without an answer, counted to tell when a whole round failed. */
    int misses;
    ScheduledFuture<?> attemptTimer;
    volatile String last = "no answer yet";

    Read(ClientId reader, byte[] query, long minPosition, int target) {
      this.reader = reader;
      this.query = query;
      this.minPosition = minPosition;
      this.target = target;
    }
  }

  /** @param completions where futures complete, or null for the client's own threads */
  OneReplicaReads(ClientOptions options, ReplicaBook book, ScheduledExecutorService timer,
      AtomicLong tags, AtomicLong retries, java.util.concurrent.Executor completions) {
    this.options = options;
    this.book = book;
    this.timer = timer;
    this.tags = tags;
    this.retries = retries;
    this.completions = completions;
    this.preferred = book.active().get(0);
  }

  /** Records a position this client reached (a reply to one of its requests). */
  void reached(long position) {
    seen.accumulateAndGet(position, Math::max);
  }

  /** The highest position this client has seen, which its next read asks for at least. */
  long seen() {
    return seen.get();
  }

  /** Reads {@code query} at one replica, as {@code reader}. */
  CompletableFuture<OneReplicaAnswer> read(ClientId reader, byte[] query) {
    if (query.length > io.lockstep.request.Request.MAX_COMMAND_BYTES) {
      throw new IllegalArgumentException("query is " + query.length + " bytes, the limit is "
          + io.lockstep.request.Request.MAX_COMMAND_BYTES);
    }
    if (options.failureModel() != io.lockstep.order.FailureModel.FAIL_STOP) {
      return CompletableFuture.failedFuture(
          new RejectedException(ClientOptions.ONE_REPLICA_BYZANTINE));
    }
    int start = book.isActive(preferred) ? preferred : book.active().get(0);
    Read read = new Read(reader, query, seen.get(), start);
    ScheduledFuture<?> deadline = schedule(() -> expire(read), options.deadline().toNanos());
    if (deadline == null) {
      read.future.completeExceptionally(new LockstepException("the client is closed"));
      return read.future;
    }
    open.add(read);
    read.future.whenComplete((value, error) -> {
      deadline.cancel(false);
      open.remove(read);
    });
    attempt(read);
    return read.future;
  }

  private void attempt(Read read) {
    if (read.future.isDone()) {
      return;
    }
    int target = read.target;
    long tag = tags.incrementAndGet();
    byte[] payload = ClientCodec.encode(
        new ClientMessage.ReadOneReplica(tag, read.reader, read.query, read.minPosition));
    synchronized (read) {
      inFlight.put(tag, read);
      read.attemptTimer = schedule(() -> {
        if (inFlight.remove(tag) != null) {
          moveOn(read, "attempt at " + book.address(target) + " timed out");
        }
      }, options.attemptTimeout().toNanos());
    }
    book.connection(target).whenComplete((conn, error) -> {
      if (!(error == null && send(conn, payload)) && inFlight.remove(tag) != null) {
        moveOn(read, error != null ? error.getMessage()
            : "connection to " + book.address(target) + " is full or closed");
      }
    });
  }

  /**
   * An answer on a client connection: true if it belongs to a read of this class (then it is
   * handled here), false if the client's other calls should look at it.
   */
  boolean answered(ClientMessage answer) {
    Read read = inFlight.remove(answer.tag());
    if (read == null) {
      return answer instanceof ClientMessage.OneReplicaResult; // a late answer: dropped
    }
    synchronized (read) {
      if (read.attemptTimer != null) {
        read.attemptTimer.cancel(false);
      }
    }
    if (answer instanceof ClientMessage.OneReplicaResult r) {
      result(read, r);
    } else if (answer instanceof ClientMessage.Busy b) {
      moveOn(read, "busy: " + b.reason());
    } else {
      moveOn(read, "unexpected answer " + answer.getClass().getSimpleName());
    }
    return true;
  }

  private void result(Read read, ClientMessage.OneReplicaResult r) {
    if (r.read().ok()) {
      reached(r.read().position());
      preferred = read.target;
      complete(read, new OneReplicaAnswer(r.read().value(), r.read().position(), r.replica()),
          null);
    } else if (r.read().behind()) {
      moveOn(read, r.read().reason());
    } else {
      complete(read, null, new RejectedException(r.read().reason()));
    }
  }

  /** The connection of {@code slot} closed: its reads move on. */
  void closed(int slot) {
    inFlight.forEach((tag, read) -> {
      if (read.target == slot && inFlight.remove(tag) != null) {
        moveOn(read, "connection to " + book.address(slot) + " closed");
      }
    });
  }

  /**
   * The target did not answer: try the next replica at once, or, once every replica in the
   * rotation missed in this round, after a wait that grows with each such round.
   */
  private void moveOn(Read read, String why) {
    read.last = why;
    retries.incrementAndGet();
    int rotation = Math.max(1, book.active().size());
    int misses;
    synchronized (read) {
      read.target = book.next(read.target);
      misses = ++read.misses;
    }
    if (misses % rotation != 0) {
      attempt(read);
      return;
    }
    int rounds = Math.min(misses / rotation - 1, 4);
    schedule(() -> attempt(read), TimeUnit.MILLISECONDS.toNanos(
        Math.min(MAX_ROUND_WAIT_MILLIS, RETRY_MILLIS << rounds)));
  }

  private void expire(Read read) {
    if (!read.future.isDone()) {
      inFlight.values().removeIf(r -> r == read);
      complete(read, null, new UnavailableException("no replica answered a one-replica read"
          + " at position " + read.minPosition + " or later within "
          + options.deadline().toMillis() + " ms; last: " + read.last));
    }
  }

  /** Fails every read without an outcome (the client is closing). */
  void close() {
    for (Read read : List.copyOf(open)) {
      expire(read);
    }
  }

  private void complete(Read read, OneReplicaAnswer answer, RuntimeException error) {
    Runnable done = () -> {
      if (error == null) {
        read.future.complete(answer);
      } else {
        read.future.completeExceptionally(error);
      }
    };
    if (completions != null) {
      completions.execute(done);
    } else {
      done.run();
    }
  }

  private static boolean send(FrameConnection conn, byte[] payload) {
    try {
      return conn.send(payload);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long nanos) {
    try {
      return timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }
}
