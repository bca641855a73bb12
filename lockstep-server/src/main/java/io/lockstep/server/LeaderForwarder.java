package io.lockstep.server;

import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

/**
 * A follower's connection to the leader's client port, over which it forwards the Redis
 * commands its own clients sent (so any replica's Redis port serves linearizable reads and
 * writes). Each forwarded question gets a tag of this forwarder; the leader's answer is handed
 * to the original {@link Origin}. If the connection fails, every question on it is answered
 * "busy": its sender retries with the same (client, sequence), which is safe (X4). A question
 * the leader has not answered within the expiry is answered "busy" too and forgotten (checked
 * whenever a question is forwarded or an answer arrives), so a leader that keeps its
 * connection open but never answers cannot make the pending map grow without bound.
 */
final class LeaderForwarder implements AutoCloseable {
  private final FrameClient client;
  private final IntFunction<InetSocketAddress> clientAddressOf;
  private record Pending(Origin origin, long since) {}

  private final Map<Long, Pending> pending = new HashMap<>();
  private final long expiryNanos;
  private final Runnable onExpired;
  private long lastSweep = System.nanoTime();
  private long nextTag;
  private int leader = -1;
  private CompletableFuture<FrameConnection> connection;
  private boolean closed;

  /**
   * @param expiryMillis how long a forwarded question may wait for the leader's answer
   * @param onExpired told once per question expired (for metrics)
   */
  LeaderForwarder(FrameClient client, IntFunction<InetSocketAddress> clientAddressOf,
      long expiryMillis, Runnable onExpired) {
    this.client = client;
    this.clientAddressOf = clientAddressOf;
    this.expiryNanos = expiryMillis * 1_000_000L;
    this.onExpired = onExpired;
  }

  /** Questions forwarded and not answered yet. */
  synchronized int pending() {
    return pending.size();
  }

  /**
   * A tag that no question this forwarder sends will carry: the journal's name for a read this
   * replica serves itself for its Redis port, unique beside the forwarded reads of the same
   * Redis connection, which the leader journals under their forwarded tags.
   */
  synchronized long reserveTag() {
    return ++nextTag;
  }

  /** Forwards a question built by {@code message} (given the tag) to replica {@code leader}. */
  void forward(int leaderId, LongFunction<ClientMessage> message, Origin origin) {
    CompletableFuture<FrameConnection> target;
    long tag;
    synchronized (this) {
      if (closed) {
        origin.busy("replica stopping");
        return;
      }
      target = connectionTo(leaderId);
      tag = ++nextTag;
      pending.put(tag, new Pending(origin, System.nanoTime()));
    }
    expireUnanswered();
    byte[] payload = ClientCodec.encode(message.apply(tag));
    target.whenComplete((conn, error) -> {
      if (error != null || !trySend(conn, payload)) {
        Origin o = take(tag);
        if (o != null) {
          o.busy("cannot reach the leader (replica " + leaderId + ")");
        }
      }
    });
  }

  private static boolean trySend(FrameConnection conn, byte[] payload) {
    try {
      return conn.send(payload);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private CompletableFuture<FrameConnection> connectionTo(int leaderId) {
    if (leaderId != leader || connection == null || connection.isCompletedExceptionally()
        || (connection.isDone() && !connection.join().isOpen())) {
      if (connection != null) {
        connection.thenAccept(FrameConnection::close);
      }
      leader = leaderId;
      connection = client.connect(clientAddressOf.apply(leaderId), new Answers());
    }
    return connection;
  }

  private synchronized Origin take(long tag) {
    Pending p = pending.remove(tag);
    return p == null ? null : p.origin();
  }

  /** Answers "busy" every question older than the expiry (at most every quarter expiry). */
  private void expireUnanswered() {
    List<Origin> expired = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      if (now - lastSweep < expiryNanos / 4) {
        return;
      }
      lastSweep = now;
      Iterator<Pending> it = pending.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (now - p.since() > expiryNanos) {
          expired.add(p.origin());
          it.remove();
        }
      }
    }
    for (Origin o : expired) {
      onExpired.run();
      o.busy("the leader did not answer the forwarded question in time");
    }
  }

  private synchronized List<Origin> takeAll() {
    List<Origin> left = new ArrayList<>();
    pending.values().forEach(p -> left.add(p.origin()));
    pending.clear();
    return left;
  }

  @Override
  public void close() {
    List<Origin> left;
    synchronized (this) {
      closed = true;
      left = takeAll();
      if (connection != null) {
        connection.thenAccept(FrameConnection::close);
      }
    }
    left.forEach(o -> o.busy("replica stopping"));
    client.close();
  }

  /** Answers from the leader, routed back by tag. */
  private final class Answers implements FrameHandler {
    @Override
    public void onFrame(FrameConnection conn, byte[] payload) {
      ClientMessage answer;
      try {
        answer = ClientCodec.decode(payload);
      } catch (CodecException e) {
        conn.close();
        return;
      }
      Origin origin = take(answer.tag());
      expireUnanswered();
      if (origin == null) {
        return;
      }
      if (answer instanceof ClientMessage.Replied r) {
        origin.replied(r.reply());
      } else if (answer instanceof ClientMessage.ReadResult r) {
        origin.readResult(r.result());
      } else if (answer instanceof ClientMessage.Redirect r) {
        origin.redirect(r.leaderHint(), r.leaderAddress(), r.reason());
      } else if (answer instanceof ClientMessage.Busy b) {
        origin.busy(b.reason());
      }
    }

    @Override
    public void onClose(FrameConnection conn) {
      takeAll().forEach(o -> o.busy("connection to the leader closed"));
    }
  }
}
