package io.lockstep.server;

import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

/**
 * A follower's connection to the leader's client port, over which it forwards the Redis
 * commands its own clients sent (so any replica's Redis port serves linearizable reads and
 * writes). Each forwarded question gets a tag of this forwarder; the leader's answer is handed
 * to the original {@link Origin}. If the connection fails, every question on it is answered
 * "busy": its sender retries with the same (client, sequence), which is safe (X4).
 */
final class LeaderForwarder implements AutoCloseable {
  private final FrameClient client;
  private final IntFunction<InetSocketAddress> clientAddressOf;
  private final Map<Long, Origin> pending = new HashMap<>();
  private long nextTag;
  private int leader = -1;
  private CompletableFuture<FrameConnection> connection;
  private boolean closed;

  LeaderForwarder(FrameClient client, IntFunction<InetSocketAddress> clientAddressOf) {
    this.client = client;
    this.clientAddressOf = clientAddressOf;
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
      pending.put(tag, origin);
    }
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
    return pending.remove(tag);
  }

  @Override
  public void close() {
    Map<Long, Origin> left;
    synchronized (this) {
      closed = true;
      left = new HashMap<>(pending);
      pending.clear();
      if (connection != null) {
        connection.thenAccept(FrameConnection::close);
      }
    }
    left.values().forEach(o -> o.busy("replica stopping"));
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
      Map<Long, Origin> left;
      synchronized (LeaderForwarder.this) {
        left = new HashMap<>(pending);
        pending.clear();
      }
      left.values().forEach(o -> o.busy("connection to the leader closed"));
    }
  }
}
