package io.lockstep.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica's client port: accepts {@link FrameClient} connections with the same framing, the
 * same checks and the same handshake as {@link PeerNetwork} (role "client"), authenticating each
 * client by {@link ClientAuth}. Each connection is full duplex with many requests in flight; the
 * application replies with {@link FrameConnection#send}, or pushes frames unasked.
 *
 * <p>Bounded everywhere: at most {@link NetOptions#maxConnections()} connections, a handshake
 * deadline, hello-sized frames until authenticated, and a bounded queue per connection, which
 * stops reading its client while it is over half full (a client that does not read its
 * answers is slowed by TCP).
 */
public final class FrameServer implements AutoCloseable {
  private final ServerConfig config;
  private final FrameHandler handler;
  private final NetStats stats = new NetStats();
  private final Rejections rejections;
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private volatile Channel listener;

  private FrameServer(ServerConfig config, FrameHandler handler) {
    this.config = config;
    this.handler = handler;
    this.rejections = new Rejections("client port of " + config.serverId(), stats);
    String name = "lockstep-clients-" + config.serverId();
    this.boss = EventLoops.create(name + "-accept", 1);
    this.workers = EventLoops.create(name + "-io", config.options().ioThreads());
  }

  /**
   * Listens on {@code config.listen()}.
   *
   * @throws IOException when the address cannot be bound
   */
  public static FrameServer start(ServerConfig config, FrameHandler handler) throws IOException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(handler, "handler");
    FrameServer server = new FrameServer(config, handler);
    try {
      server.listener = Sockets.listen(server.boss, server.workers, config.listen(),
          config.options(), server.rejections, server.accepted, server::accept);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The port this server listens on. */
  public int port() {
    return Sockets.port(listener);
  }

  /** Connections currently accepted (including those still in their handshake). */
  public int connections() {
    return accepted.size();
  }

  /** Counters: frames, handshakes, rejections by reason. */
  public NetStats stats() {
    return stats;
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    Channel bound = listener;
    if (bound != null) {
      bound.close().awaitUninterruptibly();
    }
    accepted.forEach(Channel::close);
    EventLoops.shutdown(boss, workers);
  }

  private void accept(Channel channel) {
    SecureSession.install(channel, Side.ACCEPTOR, Role.CLIENT, config.auth().modes(),
        config.privateKey(), config.cluster(), config.serverId(), this::admitClient,
        FrameConnection.listener(handler, config.options(), rejections, open -> { },
            failure -> { }, true),
        rejections, config.options());
  }

  private Admission.Verdict admitClient(Hello remote) {
    if (remote.auth() == Hello.AUTH_NONE) {
      // Only reached when this port accepts unauthenticated clients (the session checked).
      return new Admission.Admit(null);
    }
    byte[] secret = config.auth().required() ? config.auth().secretFor(remote.id()) : null;
    java.security.PublicKey key = config.auth().keyFor(remote.id());
    if (secret == null && key == null) {
      return new Admission.Refuse(RejectReason.UNKNOWN_ID,
          "client '" + remote.id() + "' has no secret or key configured");
    }
    return new Admission.Admit(secret, key);
  }
}
