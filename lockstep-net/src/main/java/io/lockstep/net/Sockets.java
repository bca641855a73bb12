package io.lockstep.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.function.Consumer;

/** Socket setup shared by every endpoint: listening with a connection limit, and dialing. */
final class Sockets {
  private Sockets() {}

  /**
   * Listens on {@code address}; each accepted channel is tracked in {@code open} and initialized
   * by {@code init}, unless {@code open} already holds the configured maximum.
   */
  static Channel listen(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress address,
      NetOptions options, Rejections rejections, Set<Channel> open, Consumer<Channel> init)
      throws IOException {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.SO_BACKLOG, 256)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            if (open.size() >= options.maxConnections()) {
              rejections.close(channel, RejectReason.TOO_MANY_CONNECTIONS,
                  open.size() + " connections open, the limit is " + options.maxConnections());
              return;
            }
            open.add(channel);
            channel.closeFuture().addListener(closed -> open.remove(channel));
            init.accept(channel);
          }
        });
    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IOException("cannot listen on " + address + ": " + bound.cause(), bound.cause());
    }
    return bound.channel();
  }

  /** A bootstrap for outbound connections whose channels are initialized by {@code init}. */
  static Bootstrap dialer(EventLoopGroup workers, NetOptions options, Consumer<Channel> init) {
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, options.handshakeTimeout().toMillis());
    return new Bootstrap()
        .group(workers)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            init.accept(channel);
          }
        });
  }

  static int port(Channel serverChannel) {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  private static WriteBufferWaterMark waterMark(NetOptions options) {
    int high = options.writeBufferBytes();
    return new WriteBufferWaterMark(high / 2, high);
  }
}
