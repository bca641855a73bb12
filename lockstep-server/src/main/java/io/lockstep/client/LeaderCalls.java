package io.lockstep.client;

import io.lockstep.executor.Executor;
import io.lockstep.machine.ClientId;
import io.lockstep.net.FrameConnection;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.voter.Voter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * {@link LockstepClient}'s fail-stop calls ({@link ClientCall}): each request or linearizable
 * read goes to the one replica believed to lead, follows its redirect hints, and is retried —
 * the same (client, sequence), at another replica if need be — after an attempt times out, the
 * connection drops or the replica is busy, until the voter decides its reply (the first one
 * under fail-stop) or the deadline passes. Apart from {@link LockstepClient} because this is
 * where a call goes and what its answers mean, with the calls in flight and the leader guess
 * as its state; the client keeps what is the same in every mode (sessions, their numbering and
 * windows, the journal's invocations and outcomes, the configuration, and which answers go to
 * one-replica reads). The Byzantine-mode counterpart, which asks every replica and votes, is
 * {@link VotingCalls}.
 *
 * <p>Threads: answers arrive on the client's Netty I/O thread, attempt time-outs and retries on
 * its timer thread; a call's attempt state is guarded by the call itself.
 */
final class LeaderCalls {
  private static final long RETRY_MILLIS = 20;
  /** Busy answers are retried after RETRY_MILLIS, doubling per busy answer up to this. */
  private static final long MAX_BUSY_RETRY_MILLIS = 320;

  private final ClientOptions options;
  /** The replicas' addresses by slot and the connections; follows the configuration. */
  private final ReplicaBook book;
  private final ScheduledExecutorService timer;
  private final java.util.concurrent.Executor completions;
  private final AtomicLong tags;
  private final AtomicLong retries;
  /** Told the position of every decided reply: later one-replica reads must reflect it. */
  private final LongConsumer positions;
  private final Map<Long, ClientCall> inFlight = new ConcurrentHashMap<>();
  /** The slot believed to lead. */
  private volatile int leader;
  private volatile ClientJournal journal = ClientJournal.OFF;

  /** @param completions where futures complete, or null for the client's own threads */
  LeaderCalls(ClientOptions options, ReplicaBook book, ScheduledExecutorService timer,
      java.util.concurrent.Executor completions, AtomicLong tags, AtomicLong retries,
      LongConsumer positions) {
    this.options = options;
    this.book = book;
    this.timer = timer;
    this.completions = completions;
    this.tags = tags;
    this.retries = retries;
    this.positions = positions;
  }

  /** Journals attempts and read answers in {@code clientJournal} from now on. */
  void journal(ClientJournal clientJournal) {
    this.journal = clientJournal;
  }

  /**
   * A call for {@code request}, or else for {@code reader}'s {@code query}, whose deadline counts
   * from now.
   */
  ClientCall newCall(Request request, ClientId reader, byte[] query) {
    return new ClientCall(request, reader, query, deadline(), newVoter());
  }

  private long deadline() {
    return System.nanoTime() + options.deadline().toNanos();
  }

  private Voter newVoter() {
    return new Voter(options.failureModel(), options.t());
  }

  /**
   * The replica set changed ({@link ReplicaBook#follow}): a leader guess no longer in it moves
   * on.
   */
  void replicasChanged() {
    if (!book.isActive(leader)) {
      leader = book.next(leader);
    }
  }

  /** Sends {@code call} and completes its future with the outcome. */
  CompletableFuture<byte[]> start(ClientCall call) {
    ScheduledFuture<?> deadlineTask;
    try {
      deadlineTask = timer.schedule(() -> expire(call), options.deadline().toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      call.future.completeExceptionally(new LockstepException("the client is closed"));
      return call.future;
    }
    // A call answered in time (the usual case) takes its deadline task off the timer's queue.
    call.future.whenComplete((value, error) -> deadlineTask.cancel(false));
    attempt(call);
    return call.future;
  }

  private void attempt(ClientCall call) {
    if (call.future.isDone()) {
      return;
    }
    int target = leader;
    long tag = tags.incrementAndGet();
    byte[] payload = ClientCodec.encode(call.request != null
        ? new ClientMessage.Submit(tag, call.request, true)
        : new ClientMessage.Read(tag, call.reader, call.query));
    synchronized (call) {
      if (++call.attempts > 1) {
        retries.incrementAndGet();
      }
      call.target = target;
      inFlight.put(tag, call);
      call.attemptTimer = schedule(() -> {
        if (inFlight.remove(tag) != null) {
          moveOn(target);
          call.last = "attempt at " + book.address(target) + " timed out";
          attempt(call);
        }
      }, options.attemptTimeout().toNanos());
    }
    book.connection(target).whenComplete((conn, error) -> {
      boolean sent = error == null && send(conn, payload);
      if (sent && call.request != null) {
        journal.attempt(call.request, target);
      } else if (sent) {
        journal.readAttempt(call.reader, tag, target);
      }
      if (!sent && inFlight.remove(tag) != null) {
        moveOn(target);
        call.last = error != null ? error.getMessage() : "connection to " + book.address(target)
            + " is full or closed";
        retryLater(call, RETRY_MILLIS);
      }
    });
  }

  private static boolean send(FrameConnection conn, byte[] payload) {
    try {
      return conn.send(payload);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void moveOn(int failed) {
    if (leader == failed || !book.isActive(leader)) {
      leader = book.next(failed);
    }
  }

  private void retryLater(ClientCall call, long millis) {
    if (millis == 0) {
      attempt(call);
    } else {
      schedule(() -> attempt(call), TimeUnit.MILLISECONDS.toNanos(millis));
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long nanos) {
    try {
      return timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private void expire(ClientCall call) {
    if (call.future.isDone()) {
      return;
    }
    inFlight.values().removeIf(c -> c == call);
    complete(call, null, call.request != null
        ? new IndeterminateException("no reply within " + options.deadline().toMillis()
            + " ms; last: " + call.last)
        : new UnavailableException("no answer within " + options.deadline().toMillis()
            + " ms; last: " + call.last));
  }

  /** Journals that the replica at {@code slot} answered the read attempt {@code tag}, if ours. */
  void readReceived(long tag, int slot, boolean ok) {
    ClientCall call = inFlight.get(tag);
    if (call != null && call.reader != null) {
      journal.readReceived(call.reader, tag, slot, ok);
    }
  }

  /** An answer on a replica's connection; one to no call in flight (a late one) is dropped. */
  void answered(ClientMessage answer) {
    ClientCall call = inFlight.remove(answer.tag());
    if (call == null) {
      return;
    }
    synchronized (call) {
      if (call.attemptTimer != null) {
        call.attemptTimer.cancel(false);
      }
    }
    if (answer instanceof ClientMessage.Replied r) {
      replied(call, r.reply());
    } else if (answer instanceof ClientMessage.ReadResult r) {
      call.answeredTag = r.tag();
      complete(call, r.result().ok() ? r.result().value() : null, r.result().ok() ? null
          : new RejectedException(r.result().reason()));
    } else if (answer instanceof ClientMessage.Redirect r) {
      int hinted = book.slotOf(r.leaderAddress());
      call.last = "redirected: " + r.reason();
      if (hinted >= 0 && hinted != call.target) {
        leader = hinted;
        retryLater(call, 0);
      } else {
        moveOn(call.target);
        retryLater(call, RETRY_MILLIS);
      }
    } else if (answer instanceof ClientMessage.Busy b) {
      busy(call, b.reason());
    }
  }

  /** The connection of slot {@code slot} closed: its calls' attempts are retried elsewhere. */
  void closed(int slot) {
    inFlight.forEach((tag, call) -> {
      if (call.target == slot && inFlight.remove(tag) != null) {
        moveOn(slot);
        call.last = "connection to " + book.address(slot) + " closed";
        retryLater(call, RETRY_MILLIS);
      }
    });
  }

  /** The replica did not take the request (full queue, byte budget or window): retry it. */
  private void busy(ClientCall call, String reason) {
    call.last = "busy: " + reason;
    int n = call.busyRetries++;
    long millis = Math.min(MAX_BUSY_RETRY_MILLIS, RETRY_MILLIS << Math.min(n, 10));
    retryLater(call, millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  /** Paper §4: the voter decides the output; fail-stop takes the first reply. */
  private void replied(ClientCall call, Reply reply) {
    if (call.request == null || !reply.client().equals(call.request.client())
        || reply.sequence() != call.request.sequence()) {
      return;
    }
    if (reply.status() == Reply.Status.REJECTED && Executor.windowFull(reply.reason())) {
      // Neither run nor kept by the executor: its retry is the only way it ever runs, and
      // later requests of this session wait for it (O1). Not a vote on the outcome.
      busy(call, reply.reason());
      return;
    }
    boolean unknown = reply.status() == Reply.Status.REJECTED
        && reply.reason().equals(Executor.UNKNOWN_SESSION);
    if (unknown && !call.window.isOpened() && call.request.sequence() > 1) {
      // The session's first request was refused busy and overtaken: nothing ran.
      busy(call, "the session's first request has not been ordered yet");
      return;
    }
    if (!unknown) {
      call.window.opened();
    }
    java.util.Optional<Reply> decided;
    synchronized (call) {
      decided = call.voter.offer(reply);
    }
    decided.ifPresent(d -> {
      positions.accept(d.position()); // later one-replica reads must reflect it
      if (d.status() == Reply.Status.OK) {
        complete(call, d.value(), null);
      } else if (d.reason().equals(Executor.DUPLICATE)) {
        complete(call, null, new IndeterminateException(
            "the request was applied but its reply was lost to a newer request's"));
      } else {
        complete(call, null, new RejectedException(d.reason()));
      }
    });
  }

  private void complete(ClientCall call, byte[] value, RuntimeException error) {
    if (completions != null) {
      completions.execute(() -> completeNow(call, value, error));
    } else {
      completeNow(call, value, error);
    }
  }

  private static void completeNow(ClientCall call, byte[] value, RuntimeException error) {
    if (error == null) {
      call.future.complete(value);
    } else {
      call.future.completeExceptionally(error);
    }
  }

  /** Ends the calls in flight: requests as indeterminate, reads as unavailable. */
  void close() {
    for (ClientCall call : List.copyOf(inFlight.values())) {
      expire(call);
    }
  }
}
