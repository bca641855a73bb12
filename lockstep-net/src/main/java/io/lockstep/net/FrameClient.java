package io.lockstep.net;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The client end of {@link FrameServer} connections: one I/O thread group, from which any number
 * of connections (say, one per replica) are opened. A connection does not reconnect by itself:
 * the client library decides where to go next (another replica, the leader it was told of).
 *
 * <p>The future returned by {@link #connect} completes on an I/O thread. Continue with the
 * {@code …Async} methods and an explicit executor, or with cheap non-blocking stages only (on a
 * 2-core machine the common pool has a single thread).
 */
public final class FrameClient implements AutoCloseable {
  private final ClientConfig config;
  private final NetStats stats = new NetStats();
  private final Rejections rejections;
  private final EventLoopGroup workers;

  /** Starts the client's I/O threads ({@link NetOptions#ioThreads()}). */
  public FrameClient(ClientConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.rejections = new Rejections("client " + config.clientId(), stats);
    this.workers = EventLoops.create("lockstep-client-" + config.clientId(),
        config.options().ioThreads());
  }

  /**
   * Connects and runs the handshake. The future completes with the open connection, or fails with
   * an {@link IOException} saying why (refused, unreachable, handshake rejected or timed out).
   */
  public CompletableFuture<FrameConnection> connect(InetSocketAddress server, FrameHandler handler) {
    if (config.privateKey() != null) {
      throw new IllegalStateException("a keyed client must name the server and its key: use "
          + "connect(server, serverId, serverKey, handler)");
    }
    byte[] secret = config.secret();
    return connect(server, remote -> new Admission.Admit(secret),
        secret == null ? Hello.AUTH_NONE : Hello.AUTH_SECRET, handler);
  }

  /**
   * Connects to the server whose id is {@code serverId} and whose Ed25519 public key is
   * {@code serverKey} (key mode): a server that cannot sign with that key, or says it is someone
   * else, is refused, so the connection's {@link FrameConnection#remoteId()} is proven.
   */
  public CompletableFuture<FrameConnection> connect(InetSocketAddress server, String serverId,
      java.security.PublicKey serverKey, FrameHandler handler) {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(serverKey, "serverKey");
    if (config.privateKey() == null) {
      throw new IllegalStateException("this client has no private key (ClientConfig.keyed)");
    }
    Admission admission = remote -> remote.id().equals(serverId)
        ? new Admission.Admit(null, serverKey)
        : new Admission.Refuse(RejectReason.UNKNOWN_ID,
            "dialed server " + serverId + " but it says it is " + remote.id());
    return connect(server, admission, Hello.AUTH_KEYS, handler);
  }

  private CompletableFuture<FrameConnection> connect(InetSocketAddress server,
      Admission admission, int auth, FrameHandler handler) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(handler, "handler");
    CompletableFuture<FrameConnection> result = new CompletableFuture<>();
    SecureSession.Listener listener = FrameConnection.listener(handler, config.options(),
        rejections, result::complete,
        reason -> result.completeExceptionally(
            new IOException("handshake with " + server + " failed: " + reason)));
    stats.connectAttempt();
    Sockets.dialer(workers, config.options(), channel -> SecureSession.install(channel,
            Side.DIALER, Role.CLIENT, auth, config.privateKey(), config.cluster(),
            config.clientId(), admission, listener, rejections, config.options()))
        .connect(server)
        .addListener(done -> {
          if (!done.isSuccess()) {
            result.completeExceptionally(
                new IOException("cannot connect to " + server + ": " + done.cause(), done.cause()));
          }
        });
    return result;
  }

  /** Counters of all this client's connections. */
  public NetStats stats() {
    return stats;
  }

  /** Closes every connection and stops the I/O threads. */
  @Override
  public void close() {
    EventLoops.shutdown(workers);
  }
}
