package io.lockstep.server;

import io.lockstep.client.IndeterminateException;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replies this replica's own executor produces for co-located clients' requests (paper §4,
 * S14), whether this replica leads or follows: a follower applies every stable request too,
 * and its reply is as good as the leader's to a client that fails with it anyway. Registered
 * from the client's thread, taken on the loop thread; an entry lives until its request has a
 * reply here or its client gives up, so the map holds only requests in flight.
 */
final class LocalReplies {
  private record Key(ClientId client, long sequence) {
    @Override
    public int hashCode() {
      return client.hashWith(sequence); // not the record default, which collides: see there
    }
  }

  private static final String STOPPED =
      "the co-located replica stopped; the request may or may not have run";

  private final Map<Key, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();

  private volatile boolean closed;

  /**
   * The future the next local reply to (client, sequence) completes; failed at once if the
   * replica has stopped.
   */
  CompletableFuture<Reply> register(ClientId client, long sequence) {
    Key key = new Key(client, sequence);
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    if (closed) {
      reply.completeExceptionally(new IndeterminateException(STOPPED));
      return reply;
    }
    if (waiting.putIfAbsent(key, reply) != null) {
      throw new IllegalStateException("a co-located request " + client + "#" + sequence
          + " is already waiting");
    }
    reply.whenComplete((r, failure) -> waiting.remove(key, reply));
    return reply;
  }

  /** On the loop thread: the future waiting for {@code reply}, if a co-located client waits. */
  CompletableFuture<Reply> take(Reply reply) {
    return waiting.remove(new Key(reply.client(), reply.sequence()));
  }

  /**
   * The replica stopped: its co-located clients fail with it (S14 assumes they do). A request
   * still waiting may or may not have been ordered, so its outcome is indeterminate.
   */
  void close() {
    closed = true;
    for (CompletableFuture<Reply> reply : waiting.values()) {
      reply.completeExceptionally(new IndeterminateException(STOPPED));
    }
  }

  int waiting() {
    return waiting.size();
  }
}
