package io.lockstep.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Creates and stops Netty thread groups. Threads are daemons and named after their endpoint, so a
 * thread dump says whose they are and a forgotten close cannot keep a JVM alive. NIO rather than
 * native epoll: no native dependency in the core, and with one flush per batch the syscall count
 * that epoll would make cheaper is already small; add epoll only if a profile says otherwise.
 */
final class EventLoops {
  private EventLoops() {}

  static EventLoopGroup create(String name, int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
  }

  /** Stops groups without a quiet period and waits (bounded) for their threads to end. */
  static void shutdown(EventLoopGroup... groups) {
    for (EventLoopGroup group : groups) {
      if (group != null) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      }
    }
    for (EventLoopGroup group : groups) {
      if (group != null) {
        group.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
      }
    }
  }
}
