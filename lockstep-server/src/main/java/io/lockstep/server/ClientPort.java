package io.lockstep.server;

import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.lang.System.Logger.Level;

/**
 * The replica's client port handler: decodes {@link ClientMessage}s on the Netty I/O thread and
 * enqueues them for the loop; answers go back on the same connection with the question's tag.
 * A frame that does not decode, or an answer sent by a client, is dropped, counted and logged
 * with the reason, and the connection is closed (DESIGN.md §6: bad input changes nothing). With
 * per-client authentication, a request in the name of another client is refused with a clear
 * reason and logged (X5, S17: commands see who really asks).
 */
final class ClientPort implements FrameHandler {
  private static final System.Logger LOG = System.getLogger(ClientPort.class.getName());

  private final ReplicaLoop loop;
  private final ServerMetrics metrics;
  private final boolean bindIdentity;

  /**
   * @param bindIdentity with per-client authentication: a connection may only issue requests as
   *     the client id it proved, or as {@code id/…} (its extra sessions); a replica's forwarder
   *     may issue any (it carries the Redis sessions of its replica)
   */
  ClientPort(ReplicaLoop loop, ServerMetrics metrics, boolean bindIdentity) {
    this.loop = loop;
    this.metrics = metrics;
    this.bindIdentity = bindIdentity;
  }

  @Override
  public void onFrame(FrameConnection connection, byte[] payload) {
    ClientMessage message;
    try {
      message = ClientCodec.decode(payload);
    } catch (CodecException e) {
      refuse(connection, "undecodable frame: " + e.getMessage());
      return;
    }
    if (message instanceof ClientMessage.Submit s) {
      if (mayActAs(connection, s.request().client())) {
        loop.offerSubmit(s.request(), new ConnectionOrigin(connection, s.tag()));
      } else {
        impersonation(connection, s.request().client());
        new ConnectionOrigin(connection, s.tag()).replied(new Reply(s.request().client(),
            s.request().sequence(), Reply.Status.REJECTED, new byte[0],
            notYours(connection, s.request().client()), 0, 0));
      }
    } else if (message instanceof ClientMessage.Read r) {
      if (mayActAs(connection, r.client())) {
        loop.offerRead(r.client(), r.query(), new ConnectionOrigin(connection, r.tag()));
      } else {
        impersonation(connection, r.client());
        new ConnectionOrigin(connection, r.tag()).readResult(
            new QueryResult(r.tag(), false, new byte[0], notYours(connection, r.client())));
      }
    } else {
      refuse(connection, "a client sent an answer (" + message.getClass().getSimpleName() + ")");
    }
  }

  private boolean mayActAs(FrameConnection connection, ClientId client) {
    if (!bindIdentity) {
      return true;
    }
    String proved = connection.remoteId();
    return proved != null && (proved.startsWith(ClusterConfig.FORWARDER_PREFIX)
        || client.value().equals(proved) || client.value().startsWith(proved + "/"));
  }

  private static String notYours(FrameConnection connection, ClientId client) {
    return "client " + connection.remoteId() + " may not act as " + client + ": it may only"
        + " issue requests as " + connection.remoteId() + " or " + connection.remoteId() + "/…";
  }

  private void impersonation(FrameConnection connection, ClientId client) {
    metrics.badFrame();
    LOG.log(Level.WARNING, "event=client_impersonation_refused remote=" + connection.remoteAddress()
        + " proved=" + connection.remoteId() + " claimed=" + client);
  }

  private void refuse(FrameConnection connection, String reason) {
    metrics.badFrame();
    LOG.log(Level.WARNING, "event=client_frame_refused remote=" + connection.remoteAddress()
        + " reason=\"" + reason + "\"");
    connection.close();
  }

  /** Answers go back on the connection the question came from, tagged as it was. */
  record ConnectionOrigin(FrameConnection connection, long tag) implements Origin {
    @Override
    public void replied(Reply reply) {
      send(new ClientMessage.Replied(tag, reply));
    }

    @Override
    public void readResult(QueryResult result) {
      send(new ClientMessage.ReadResult(tag,
          new QueryResult(tag, result.ok(), result.value(), result.reason())));
    }

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {
      send(new ClientMessage.Redirect(tag, leaderHint, leaderAddress, reason));
    }

    @Override
    public void busy(String reason) {
      send(new ClientMessage.Busy(tag, reason));
    }

    private void send(ClientMessage message) {
      // A full or closed connection drops the answer; the client times out and retries (X4).
      byte[] payload = ClientCodec.encode(message);
      try {
        connection.send(payload);
      } catch (IllegalArgumentException e) {
        connection.send(ClientCodec.encode(new ClientMessage.Busy(tag, "the answer is "
            + payload.length + " bytes, above the client frame limit")));
      }
    }
  }
}
