package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.redis.BackendException;
import io.lockstep.request.Reply;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client in the same process as a replica that takes that replica's reply (paper §4, S14, the
 * dependent-failures optimization): the client and its replica fail together, so the replica's
 * own output needs no vote against the others'. Requests are still ordered by the protocol: this
 * replica proposes them when it leads and forwards them to the leader otherwise, retrying with
 * the same sequence number as a Redis connection does ({@link RedisBridge}); the answer is the
 * reply this replica's executor produces when it applies the request, follower or leader.
 *
 * <p>Sound under fail-stop only, where a replica never lies; when the local replica stops, its
 * co-located client's requests fail with it. Thread-safe; one session (one client id).
 */
public final class ColocatedClient {
  private final ClientId id;
  private final RedisBridge ordering;
  private final LocalReplies localReplies;
  private final long timeoutMillis;
  private long sequence;

  ColocatedClient(ClientId id, RedisBridge ordering, LocalReplies localReplies,
      long timeoutMillis) {
    this.id = Objects.requireNonNull(id, "id");
    this.ordering = ordering;
    this.localReplies = localReplies;
    this.timeoutMillis = timeoutMillis;
  }

  /** This session's client id. */
  public ClientId clientId() {
    return id;
  }

  /**
   * Orders {@code command} and answers with the local replica's reply to it (OK, or REJECTED
   * with the reason the state machine or executor gave).
   *
   * @return the reply, completed off the replica's loop thread; failed if the request had no
   *     outcome in time (indeterminate: it may still run) or the local replica stopped
   */
  public CompletableFuture<Reply> submit(byte[] command) {
    Objects.requireNonNull(command, "command");
    CompletableFuture<Reply> local;
    CompletableFuture<byte[]> ordered;
    synchronized (this) {
      // The bridge numbers a session's writes 1, 2, 3… in call order; this lock keeps that
      // order equal to ours, so the local reply is looked for under the request's own number.
      local = localReplies.register(id, ++sequence);
      ordered = ordering.write(id, command.clone());
    }
    ordered.whenComplete((output, failure) -> {
      if (failure != null && !localReplyFollows(failure)) {
        local.completeExceptionally(failure);
      }
    });
    return local.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .thenApplyAsync(Function.identity());
  }

  /**
   * True for a refusal that came as a REJECTED reply: every replica applies the request to the
   * same refusal, so the local replica's reply follows and is the answer. Anything else (no
   * outcome in time, an expired session, a duplicate) fails the request at once.
   */
  private static boolean localReplyFollows(Throwable failure) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
        ? c.getCause() : failure;
    return cause instanceof BackendException.Rejected;
  }
}
