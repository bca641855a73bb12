package io.lockstep.server;

import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.lang.System.Logger.Level;

/**
 * The replica's client port handler: decodes {@link ClientMessage}s on the Netty I/O thread and
 * enqueues them for the loop; answers go back on the same connection with the question's tag.
 * A frame that does not decode, or an answer sent by a client, is dropped, counted and logged
 * with the reason, and the connection is closed (DESIGN.md §6: bad input changes nothing).
 */
final class ClientPort implements FrameHandler {
  private static final System.Logger LOG = System.getLogger(ClientPort.class.getName());

  private final ReplicaLoop loop;
  private final ServerMetrics metrics;

  ClientPort(ReplicaLoop loop, ServerMetrics metrics) {
    this.loop = loop;
    this.metrics = metrics;
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
      loop.offerSubmit(s.request(), new ConnectionOrigin(connection, s.tag()));
    } else if (message instanceof ClientMessage.Read r) {
      loop.offerRead(r.client(), r.query(), new ConnectionOrigin(connection, r.tag()));
    } else {
      refuse(connection, "a client sent an answer (" + message.getClass().getSimpleName() + ")");
    }
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
