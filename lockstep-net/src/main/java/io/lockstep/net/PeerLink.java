package io.lockstep.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * This node's outbound connection to one peer: dials, keeps a bounded queue, and redials with
 * exponential backoff and jitter after every failure or close. Messages to the peer travel only
 * over this connection, so they arrive in send order (per-connection FIFO, which Raft does not
 * need but logical-clock ordering (paper §3.2.1, FIFO channels) does).
 */
final class PeerLink {
  private final int peer;
  private final InetSocketAddress address;
  private final NetOptions options;
  private final EventLoopGroup workers;
  private final Rejections rejections;
  private final OutboundQueue queue;
  private final AtomicInteger failures = new AtomicInteger();
  private volatile Bootstrap bootstrap;
  private volatile Channel open;
  private volatile boolean closed;

  PeerLink(int peer, InetSocketAddress address, NetOptions options, EventLoopGroup workers,
      Rejections rejections) {
    this.peer = peer;
    this.address = address;
    this.options = options;
    this.workers = workers;
    this.rejections = rejections;
    this.queue = new OutboundQueue("peer " + peer + " at " + address, options, rejections);
  }

  int peer() {
    return peer;
  }

  InetSocketAddress address() {
    return address;
  }

  OutboundQueue queue() {
    return queue;
  }

  boolean isConnected() {
    return open != null;
  }

  /** Starts dialing with this bootstrap (whose channels report back via the methods below). */
  void start(Bootstrap dialer) {
    this.bootstrap = dialer;
    dial();
  }

  private void dial() {
    if (closed) {
      return;
    }
    rejections.stats().connectAttempt();
    bootstrap.connect(address).addListener(done -> {
      if (!done.isSuccess()) {
        rejections.stats().connectFailure();
        rejections.note("cannot connect to peer " + peer + " at " + address + ": " + done.cause());
        redialLater();
      }
    });
  }

  /** The handshake with the peer finished on {@code channel}. */
  void onOpen(Channel channel) {
    failures.set(0);
    open = channel;
    queue.attach(channel);
  }

  /** A connection (open or not yet) to the peer closed. */
  void onClose(Channel channel) {
    queue.detach(channel);
    if (open == channel) {
      open = null;
    }
    redialLater();
  }

  void close() {
    closed = true;
    Channel channel = open;
    if (channel != null) {
      channel.close();
    }
    queue.clear();
  }

  private void redialLater() {
    if (closed) {
      return;
    }
    long delay = backoffMillis(failures.getAndIncrement());
    try {
      workers.schedule(this::dial, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      closed = true;
    }
  }

  /** min·2^failures capped at max, then "equal jitter": half fixed, half random. */
  private long backoffMillis(int failuresSoFar) {
    return backoffMillis(failuresSoFar, options.reconnectMin().toMillis(),
        options.reconnectMax().toMillis(), ThreadLocalRandom.current());
  }

  /**
   * The delay before redial number {@code failuresSoFar + 1}: d = min(max, min·2^failures), then a
   * uniform pick in [d/2, d]. The jitter keeps replicas that lost a peer at the same moment from
   * redialing in lockstep.
   */
  static long backoffMillis(int failuresSoFar, long min, long max, RandomGenerator random) {
    long delay = failuresSoFar >= 30 ? max : Math.min(max, min << failuresSoFar);
    long half = Math.max(1, delay / 2);
    return delay - half + random.nextLong(half + 1);
  }
}
