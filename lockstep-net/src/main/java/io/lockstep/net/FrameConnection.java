package io.lockstep.net;

import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One open client connection, as seen from either end: who is on the other side, and a
 * non-blocking {@link #send}. Safe to use from any thread.
 */
public final class FrameConnection {
  private final SecureSession session;
  private final Channel channel;
  private final OutboundQueue queue;
  private final int maxMessageBytes;

  private FrameConnection(SecureSession session, OutboundQueue queue, NetOptions options) {
    this.session = session;
    this.channel = session.channel();
    this.queue = queue;
    this.maxMessageBytes = options.maxMessageBytes();
  }

  /**
   * The other end's id: on a server, the client id (proven when {@link #authenticated()}, only
   * declared otherwise); on a client, the server's id.
   */
  public String remoteId() {
    return session.remoteId();
  }

  /** Whether the other end proved knowledge of the secret and every frame carries a MAC. */
  public boolean authenticated() {
    return session.authenticated();
  }

  /**
   * Whether the other end proved the private key of {@link #remoteId()} (key mode): only then
   * is the id more than something anyone holding a shared secret could claim.
   */
  public boolean keyAuthenticated() {
    return session.keyAuthenticated();
  }

  /**
   * This connection's key for request authenticators (PBFT's MAC authenticators, one tag per
   * replica): known to its two ends only, and only when the other end proved its key
   * ({@link #keyAuthenticated()}); null otherwise. A new connection has a new key.
   */
  public AuthenticatorKey authenticatorKey() {
    return session.authenticatorKey();
  }

  /** The other end's socket address. */
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return channel.isActive();
  }

  /**
   * Enqueues a payload; never blocks. Returns false, and counts {@link RejectReason#QUEUE_FULL},
   * when the connection's bounded queue is full or the connection is closed. The array must not
   * be modified afterwards.
   *
   * @throws IllegalArgumentException for a payload above {@link NetOptions#maxMessageBytes()}
   */
  public boolean send(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length > maxMessageBytes) {
      throw new IllegalArgumentException(
          "payload is " + payload.length + " bytes, the limit is " + maxMessageBytes);
    }
    return channel.isActive() && queue.offer(payload);
  }

  /** Messages waiting to be written. */
  public int queued() {
    return queue.size();
  }

  /** Closes the connection; queued messages are dropped. */
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "FrameConnection[" + remoteId() + " at " + remoteAddress()
        + (authenticated() ? ", authenticated" : ", unauthenticated") + "]";
  }

  /**
   * A session listener that wraps the session in a connection when it opens and forwards to
   * {@code handler}; {@code opened} is told first, {@code failed} if the connection closes before
   * it opened (with the reason).
   */
  static SecureSession.Listener listener(FrameHandler handler, NetOptions options,
      Rejections rejections, Consumer<FrameConnection> opened, Consumer<String> failed) {
    return listener(handler, options, rejections, opened, failed, false);
  }

  /**
   * As above; with {@code pauseReads} (the accepting side only) the connection stops being read
   * while its queue of answers is over half full (see {@link OutboundQueue}).
   */
  static SecureSession.Listener listener(FrameHandler handler, NetOptions options,
      Rejections rejections, Consumer<FrameConnection> opened, Consumer<String> failed,
      boolean pauseReads) {
    return new SecureSession.Listener() {
      private FrameConnection connection;

      @Override
      public void onOpen(SecureSession session) {
        OutboundQueue queue = new OutboundQueue(
            "connection to " + session.remoteId() + " at " + session.remoteAddress(),
            options, rejections);
        if (pauseReads) {
          queue.pausingReads();
        }
        connection = new FrameConnection(session, queue, options);
        queue.attach(session.channel());
        opened.accept(connection);
        try {
          handler.onOpen(connection);
        } catch (RuntimeException e) {
          rejections.handlerError(e);
        }
      }

      @Override
      public void onData(SecureSession session, byte[] payload) {
        handler.onFrame(connection, payload);
      }

      @Override
      public void onWritable(SecureSession session) {
        connection.queue.onWritable();
      }

      @Override
      public void onClose(SecureSession session, String reason) {
        if (connection == null) {
          failed.accept(reason == null ? "connection closed before the handshake" : reason);
          return;
        }
        connection.queue.clear();
        connection.queue.detach(connection.channel);
        try {
          handler.onClose(connection);
        } catch (RuntimeException e) {
          rejections.handlerError(e);
        }
      }
    };
  }
}
