package io.lockstep.redis;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Redis-protocol (RESP2) front end for one replica: any Redis client (redis-cli, Jedis,
 * Lettuce…) connects to it unchanged. Each connection's pipeline is
 * {@link RespDecoder} → {@link RespEncoder} → a handler that maps commands with
 * {@link RedisCommands} onto a {@link RedisBackend} and answers in order per connection.
 *
 * <p>Threads: one acceptor thread and {@link RedisServerConfig#ioThreads()} I/O threads, all daemon
 * threads named {@code lockstep-redis-*}. The replica's protocol and executor never run on them:
 * the backend hands work to the replica's loop thread, the one thread that owns it.
 */
public final class RedisServer implements AutoCloseable {
  /**
   * Counters since the server started.
   *
   * @param connectedClients connections open now
   * @param acceptedConnections connections accepted in total
   * @param refusedConnections connections closed at once because maxClients was reached
   * @param protocolErrors connections closed for breaking RESP
   * @param commands commands dispatched
   * @param readPauses times a connection stopped being read (back-pressure), for any reason
   * @param outstandingBytes bytes of commands received and not yet answered, all connections
   * @param bytePauses of the read pauses, those because a byte budget was full
   *     ({@link RedisServerConfig#maxConnectionBytes()} or {@link RedisServerConfig#maxTotalBytes()})
   * @param replyPauses of the read pauses, those because the client did not read its replies
   * @param slowReadersClosed connections closed because their unread replies exceeded
   *     {@link RedisServerConfig#maxReplyBytes()}
   */
  public record Stats(int connectedClients, long acceptedConnections, long refusedConnections,
      long protocolErrors, long commands, long readPauses, long outstandingBytes,
      long bytePauses, long replyPauses, long slowReadersClosed) {}

  private static final System.Logger LOG = System.getLogger(RedisServer.class.getName());

  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final Channel channel;
  private final ServerCounters counters;

  private RedisServer(EventLoopGroup acceptor, EventLoopGroup workers, Channel channel,
      ServerCounters counters) {
    this.acceptor = acceptor;
    this.workers = workers;
    this.channel = channel;
    this.counters = counters;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IllegalStateException if the address cannot be bound (e.g. the port is taken)
   */
  public static RedisServer start(RedisServerConfig config, RedisBackend backend) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(backend, "backend");
    ServerCounters counters = new ServerCounters();
    RedisCommands commands = new RedisCommands(backend::info, counters.connected::get,
        config.password());
    RespEncoder encoder = new RespEncoder();
    EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("lockstep-redis-accept", true), NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(config.ioThreads(),
        new DefaultThreadFactory("lockstep-redis-io", true), NioIoHandler.newFactory());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 511)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(config))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new RespDecoder(config.limits()), encoder,
                new RedisConnectionHandler(commands, backend, counters, config));
          }
        });
    try {
      Channel channel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly()
          .channel();
      RedisServer server = new RedisServer(acceptor, workers, channel, counters);
      LOG.log(System.Logger.Level.INFO, "redis port listening on " + server.address());
      return server;
    } catch (Exception e) {
      // Netty rethrows the bind failure (a checked BindException) without declaring it.
      shutdown(acceptor, workers);
      throw new IllegalStateException("cannot listen for Redis clients on " + config.host() + ":"
          + config.port() + ": " + e, e);
    }
  }

  /**
   * A connection whose unwritten replies pass the high mark stops being read (so it sends no
   * more commands to answer) until they drop below the low mark: at most 1 MiB, and well
   * below the hard limit at which it is closed.
   */
  private static WriteBufferWaterMark waterMark(RedisServerConfig config) {
    int high = (int) Math.min(1 << 20, Math.max(2, config.maxReplyBytes() / 4));
    return new WriteBufferWaterMark(high / 2, high);
  }

  /** The address the server listens on (with the actual port when 0 was asked). */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return address().getPort();
  }

  /** Current counters. */
  public Stats stats() {
    return counters.snapshot();
  }

  /** Stops listening, closes every connection and stops the I/O threads; waits for them. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    shutdown(acceptor, workers);
  }

  private static void shutdown(EventLoopGroup acceptor, EventLoopGroup workers) {
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
