package io.lockstep.server;

import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A follower hands an operator's membership command on to the leader's client port and relays
 * the answer, so that {@code lockstep member} may be sent to any replica. The command travels
 * exactly as the operator signed it: the leader checks the signature, the issue time and the
 * nonce itself ({@link OperatorAuth}), so a follower can neither forge nor alter one. Commands
 * are rare and may take a minute (an added replica catches up first), so each gets a
 * connection of its own, closed once it is answered or after {@link #WAIT_MILLIS}.
 */
final class MemberForwarder implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MemberForwarder.class.getName());
  /** Longer than the leader's own limit, so the leader's "still in progress" comes first. */
  static final long WAIT_MILLIS = MembershipRuntime.ANSWER_WITHIN_NANOS / 1_000_000 + 10_000;

  private final Supplier<FrameClient> clients;
  private final IntFunction<InetSocketAddress> clientAddressOf;
  private FrameClient client;
  private boolean closed;

  /**
   * @param clients makes the client (authenticated as this replica's forwarder) on first use
   * @param clientAddressOf a replica's client port
   */
  MemberForwarder(Supplier<FrameClient> clients, IntFunction<InetSocketAddress> clientAddressOf) {
    this.clients = clients;
    this.clientAddressOf = clientAddressOf;
  }

  /** Sends {@code command} to replica {@code leader}; its answer goes to {@code origin}. */
  void forward(int leader, ClientMessage.Member command, MemberOrigin origin) {
    FrameClient frames = client();
    if (frames == null) {
      origin.answered(false, "replica stopping");
      return;
    }
    CompletableFuture<ClientMessage> answer = new CompletableFuture<>();
    CompletableFuture<FrameConnection> connection =
        frames.connect(clientAddressOf.apply(leader), new Relay(answer));
    connection.whenComplete((conn, error) -> {
      if (error != null || !conn.send(ClientCodec.encode(command))) {
        // Never sent: the leader this replica knew is gone (it stopped, or leadership is
        // moving), so nothing was changed and the operator's client may ask again.
        answer.completeExceptionally(new NotSent(error != null ? String.valueOf(
            error.getMessage()) : "the connection refused the command"));
      }
    });
    answer.orTimeout(WAIT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((message, error) -> {
      connection.thenAccept(FrameConnection::close);
      relay(leader, message, error, origin);
    });
  }

  private static void relay(int leader, ClientMessage message, Throwable error,
      MemberOrigin origin) {
    if (message instanceof ClientMessage.MemberResult r) {
      origin.answered(r.ok(), r.text());
    } else if (message instanceof ClientMessage.Redirect r) {
      origin.redirect(r.leaderHint(), r.leaderAddress(), r.reason());
    } else if (message instanceof ClientMessage.Busy b) {
      origin.answered(false, "the leader (replica " + leader + ") is busy: " + b.reason()
          + "; nothing was changed: " + ClientMessage.MemberResult.TRY_AGAIN);
    } else if (error instanceof NotSent || error != null && error.getCause() instanceof NotSent) {
      Throwable notSent = error instanceof NotSent ? error : error.getCause();
      origin.answered(false, "cannot reach the leader (replica " + leader + "): "
          + notSent.getMessage() + "; nothing was changed: "
          + ClientMessage.MemberResult.TRY_AGAIN);
    } else {
      String why = error == null ? "an unexpected answer" : String.valueOf(error.getMessage());
      LOG.log(Level.WARNING, "event=member_forward_failed leader=" + leader + " reason=\""
          + why + "\"");
      origin.answered(false, "no answer from the leader (replica " + leader + "): " + why
          + "; the change may still complete: check with `lockstep member list`; asking again"
          + " carries it on: " + ClientMessage.MemberResult.TRY_AGAIN);
    }
  }

  private synchronized FrameClient client() {
    if (client == null && !closed) {
      client = clients.get();
    }
    return closed ? null : client;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }

  /** The command never reached the leader. */
  private static final class NotSent extends Exception {
    NotSent(String why) {
      super(why, null, false, false);
    }
  }

  /** The leader's answer: the first frame with the command's tag. */
  private record Relay(CompletableFuture<ClientMessage> answer) implements FrameHandler {
    @Override
    public void onFrame(FrameConnection connection, byte[] payload) {
      try {
        answer.complete(ClientCodec.decode(payload));
      } catch (CodecException e) {
        answer.completeExceptionally(e);
      }
    }

    @Override
    public void onClose(FrameConnection connection) {
      answer.completeExceptionally(new IllegalStateException("the leader closed the connection"));
    }
  }
}
