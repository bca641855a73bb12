package io.lockstep.redis;

import io.lockstep.machine.ClientId;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One Redis connection: dispatches its commands and answers them in the order they arrived,
 * however many are pipelined and in whatever order the backend completes them.
 *
 * <p>Ordering rule (what Redis guarantees on one connection): consecutive writes are sent to the
 * backend together (the executor keeps one client's writes in order, O1), and so are consecutive
 * reads; but a read waits until every earlier write of the connection has completed, and a write
 * until every earlier read has, so a client always reads its own writes and never sees a write
 * it issued after a read. Local commands run as soon as every command before them has been
 * dispatched.
 *
 * <p>All state is confined to the connection's event loop; backend futures hop back onto it
 * with an explicit executor (never the common pool). When more than {@code maxPipelined}
 * commands, or more than {@code maxConnectionBytes} of them, are waiting or unanswered (or
 * all connections together hold {@code maxTotalBytes}), or the client leaves its replies
 * unread, the handler stops reading from the socket until half have been answered: the client
 * is slowed by TCP, never refused and never dropped. One that leaves more than
 * {@code maxReplyBytes} of replies unread is closed, with a logged reason.
 */
final class RedisConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(RedisServer.class.getName());

  /** One command's place in the reply order. */
  private static final class Slot {
    final RedisCommands.Kind kind;
    /** The identity a write or read was issued under; null for local commands. */
    final ClientId issuer;
    RespReply reply;
    boolean close;
    /** The command's bytes, counted against the budgets until its reply is written. */
    long bytes;

    Slot(RedisCommands.Kind kind, ClientId issuer, RespReply reply, boolean close) {
      this.kind = kind;
      this.issuer = issuer;
      this.reply = reply;
      this.close = close;
    }
  }

  private final RedisCommands commands;
  private final RedisBackend backend;
  private final ServerCounters counters;
  private final RedisServerConfig config;
  /** Decoded commands (or a protocol error) not dispatched yet, in arrival order. */
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  /** Dispatched commands in arrival order; a slot's reply is null until it completes. */
  private final ArrayDeque<Slot> unanswered = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private ClientSession session;
  private int pendingWrites;
  private int pendingReads;
  /** Bytes of this connection's commands in {@link #waiting} and {@link #unanswered}. */
  private long outstandingBytes;
  private boolean closing;

  RedisConnectionHandler(RedisCommands commands, RedisBackend backend, ServerCounters counters,
      RedisServerConfig config) {
    this.commands = commands;
    this.backend = backend;
    this.counters = counters;
    this.config = config;
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    ctx = context;
    long number = counters.accepted.incrementAndGet();
    if (counters.connected.incrementAndGet() > config.maxClients()) {
      counters.refused.incrementAndGet();
      closing = true;
      context.writeAndFlush(RespReply.error("ERR max number of clients reached"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    session = new ClientSession(number, ClientId.of(config.clientIdPrefix() + "/" + number),
        address(context.channel().remoteAddress()), port(context.channel().localAddress()));
    context.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    closing = true;
    waiting.clear();
    // Whatever this connection still held no longer counts against the server's budget.
    counters.outstandingBytes.addAndGet(-outstandingBytes);
    outstandingBytes = 0;
    counters.connected.decrementAndGet();
    if (session != null) {
      backend.disconnected(session.clientId());
    }
    context.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (closing) {
      return;
    }
    if (msg instanceof RespProtocolError error) {
      counters.protocolErrors.incrementAndGet();
      LOG.log(System.Logger.Level.DEBUG, () -> "closing redis connection " + describe()
          + ": " + error.message());
    }
    if (msg instanceof RespCommand command) {
      charge(command.bytes());
    }
    waiting.add(msg);
    dispatchWaiting();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    if (!closing) {
      applyBackPressure();
    }
    context.fireChannelWritabilityChanged();
  }

  private void charge(long bytes) {
    outstandingBytes += bytes;
    counters.outstandingBytes.addAndGet(bytes);
  }

  private void release(long bytes) {
    if (closing && !ctx.channel().isActive()) {
      return; // channelInactive already released everything
    }
    outstandingBytes -= bytes;
    counters.outstandingBytes.addAndGet(-bytes);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    context.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.log(System.Logger.Level.DEBUG, () -> "redis connection " + describe() + " failed: "
          + cause);
    } else {
      LOG.log(System.Logger.Level.WARNING, "redis connection " + describe()
          + " closed after an unexpected error", cause);
    }
    closing = true;
    context.close();
  }

  /** Dispatches waiting commands in order while the ordering rule allows. */
  private void dispatchWaiting() {
    while (!waiting.isEmpty() && !closing) {
      Object next = waiting.peek();
      if (next instanceof RespProtocolError error) {
        dropWaiting();
        closing = true;
        unanswered.add(new Slot(RedisCommands.Kind.LOCAL, null,
            RedisCommands.protocolErrorReply(error), true));
        break;
      }
      RespCommand command = (RespCommand) next;
      RedisCommands.Kind kind = commands.kind(command, session);
      if (kind == RedisCommands.Kind.READ && pendingWrites > 0
          || kind == RedisCommands.Kind.WRITE && pendingReads > 0) {
        break;
      }
      waiting.poll();
      start(command, command.bytes());
    }
    writeAnswered();
    applyBackPressure();
  }

  private void start(RespCommand command, long bytes) {
    counters.commands.incrementAndGet();
    RedisCommands.Action action;
    try {
      action = commands.dispatch(command, session);
    } catch (RuntimeException e) {
      action = new RedisCommands.Action.Reply(RedisCommands.failureReply(e), false);
    }
    if (action instanceof RedisCommands.Action.Reply r) {
      Slot slot = new Slot(RedisCommands.Kind.LOCAL, null, r.reply(), r.close());
      slot.bytes = bytes;
      unanswered.add(slot);
      if (r.close()) {
        closing = true;
        dropWaiting();
      }
    } else if (action instanceof RedisCommands.Action.Write w) {
      pendingWrites++;
      await(new Slot(RedisCommands.Kind.WRITE, session.clientId(), null, false), bytes,
          call(() -> backend.write(session.clientId(), w.command())));
    } else if (action instanceof RedisCommands.Action.Read r) {
      pendingReads++;
      await(new Slot(RedisCommands.Kind.READ, session.clientId(), null, false), bytes,
          call(() -> backend.read(session.clientId(), r.query())));
    }
  }

  /** Forgets the commands not dispatched yet (the connection is closing), freeing their bytes. */
  private void dropWaiting() {
    for (Object o : waiting) {
      if (o instanceof RespCommand c) {
        release(c.bytes());
      }
    }
    waiting.clear();
  }

  private void await(Slot slot, long bytes, CompletableFuture<byte[]> future) {
    slot.bytes = bytes;
    unanswered.add(slot);
    future.whenCompleteAsync((output, failure) -> complete(slot, output, failure),
        ctx.executor());
  }

  private void complete(Slot slot, byte[] output, Throwable failure) {
    if (slot.kind == RedisCommands.Kind.WRITE) {
      pendingWrites--;
      if (endsSession(failure) && slot.issuer.equals(session.clientId())) {
        renewIdentity();
      }
    } else {
      pendingReads--;
    }
    slot.reply = failure == null
        ? RedisCommands.outputReply(output) : RedisCommands.failureReply(failure);
    if (!ctx.channel().isActive()) {
      return;
    }
    dispatchWaiting();
    ctx.flush();
  }

  /** A write outcome after which the connection's identity cannot be used any more. */
  private static boolean endsSession(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return cause instanceof BackendException.Indeterminate
        || cause instanceof BackendException.SessionExpired;
  }

  /**
   * After a write with an unknown outcome, later writes go out under a new identity (a fresh
   * connection number), so they do not wait behind a sequence number that may never be ordered;
   * after the service forgot the session (evicted while idle), so that a retry opens a new one.
   * The client still sees one connection; what it loses is only the old identity's session.
   */
  private void renewIdentity() {
    ClientId old = session.clientId();
    session.renew(ClientId.of(config.clientIdPrefix() + "/" + counters.accepted.incrementAndGet()));
    backend.disconnected(old);
    LOG.log(System.Logger.Level.DEBUG, () -> "redis connection " + session.id()
        + " renewed its identity " + old + " -> " + session.clientId()
        + " after a write with an unknown outcome or an expired session");
  }

  /** Writes the replies at the head of the order that are ready (without flushing). */
  private void writeAnswered() {
    while (!unanswered.isEmpty() && unanswered.peek().reply != null) {
      Slot slot = unanswered.poll();
      release(slot.bytes);
      if (slot.close) {
        unanswered.forEach(u -> release(u.bytes));
        unanswered.clear();
        ctx.writeAndFlush(slot.reply).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      ctx.write(slot.reply, ctx.voidPromise());
      if (ctx.channel().bytesBeforeWritable() > config.maxReplyBytes()) {
        closeSlowReader();
        return;
      }
    }
  }

  /**
   * The client does not read its replies and they passed the hard limit: close rather than
   * buffer without bound (Redis's client-output-buffer-limit). Logged and counted, not silent.
   */
  private void closeSlowReader() {
    counters.slowReadersClosed.incrementAndGet();
    LOG.log(System.Logger.Level.WARNING, "event=redis_slow_reader_closed connection="
        + describe() + " unwritten_bytes=" + ctx.channel().bytesBeforeWritable() + " limit="
        + config.maxReplyBytes());
    closing = true;
    dropWaiting();
    ctx.close();
  }

  /**
   * Stops reading while too many commands or command bytes are outstanding, or while the
   * client leaves its replies unread; resumes once they are down to half (and the replies
   * drained). A connection with nothing outstanding is never held back by the other
   * connections' bytes, so each can always make progress.
   */
  private void applyBackPressure() {
    int outstanding = waiting.size() + unanswered.size();
    boolean overBytes = outstandingBytes >= config.maxConnectionBytes() || outstandingBytes > 0
        && counters.outstandingBytes.get() >= config.maxTotalBytes();
    boolean unread = !ctx.channel().isWritable();
    boolean reading = ctx.channel().config().isAutoRead();
    if (reading && (outstanding >= config.maxPipelined() || overBytes || unread)) {
      counters.readPauses.incrementAndGet();
      if (overBytes) {
        counters.bytePauses.incrementAndGet();
      } else if (unread) {
        counters.replyPauses.incrementAndGet();
      }
      ctx.channel().config().setAutoRead(false);
    } else if (!reading && !closing && !unread && outstanding <= config.maxPipelined() / 2
        && outstandingBytes <= config.maxConnectionBytes() / 2
        && (outstandingBytes == 0 || counters.outstandingBytes.get() < config.maxTotalBytes())) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Calls the backend; a throw or a null future becomes a failed future. */
  private static CompletableFuture<byte[]> call(Supplier<CompletableFuture<byte[]>> request) {
    try {
      CompletableFuture<byte[]> future = request.get();
      return future != null ? future : CompletableFuture.failedFuture(
          new IllegalStateException("the backend returned no future"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private String describe() {
    return session == null ? String.valueOf(ctx.channel().remoteAddress())
        : session.clientId() + " (" + session.remoteAddress() + ")";
  }

  private static String address(SocketAddress address) {
    return address instanceof InetSocketAddress a
        ? a.getHostString() + ":" + a.getPort() : String.valueOf(address);
  }

  private static int port(SocketAddress address) {
    return address instanceof InetSocketAddress a ? a.getPort() : 0;
  }
}
