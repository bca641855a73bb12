package io.lockstep.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into {@link Frames.Frame}s. On the first invalid frame it counts and logs
 * the reason, closes the connection and discards everything that follows: nothing from a
 * connection that once sent garbage reaches the replica, and nothing is thrown into it.
 *
 * <p>Until the handshake finishes the payload limit is the size of a hello, so an unauthenticated
 * stranger cannot make a replica allocate megabytes; {@link SecureSession} raises it afterwards.
 * Until then each call decodes one frame, which Netty hands on before it calls again: a dialer
 * may send its first data right behind its proof (its handshake ends when the acceptor's proof
 * arrives, before the acceptor has checked the dialer's), and when both come in one read the
 * data must be cut with the limit the proof raised, not the hello's.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final Rejections rejections;
  private int maxPayload;
  private boolean raised;
  private boolean failed;

  FrameDecoder(Rejections rejections, int initialMaxPayload) {
    this.rejections = rejections;
    this.maxPayload = initialMaxPayload;
  }

  /** Called on the channel's event loop once the peer is authenticated. */
  void raiseLimit(int newMaxPayload) {
    maxPayload = newMaxPayload;
    raised = true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.isReadable()) {
      Frames.Decoded decoded = Frames.decode(in, maxPayload);
      if (decoded instanceof Frames.Complete complete) {
        out.add(complete.frame());
        if (!raised) {
          return; // handed on before the next is cut: it may raise the limit
        }
      } else if (decoded instanceof Frames.Invalid invalid) {
        fail(ctx, in, invalid.reason(), invalid.detail());
        return;
      } else {
        return;
      }
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (!failed && in.isReadable()) {
      fail(ctx, in, RejectReason.TRUNCATED,
          "connection closed " + in.readableBytes() + " bytes into a frame");
    }
  }

  /** Tells the session why its connection is being closed, so it can report the reason. */
  record Rejected(RejectReason reason, String detail) {}

  private void fail(ChannelHandlerContext ctx, ByteBuf in, RejectReason reason, String detail) {
    failed = true;
    in.skipBytes(in.readableBytes());
    ctx.fireUserEventTriggered(new Rejected(reason, detail));
    rejections.close(ctx.channel(), reason, detail);
  }
}
