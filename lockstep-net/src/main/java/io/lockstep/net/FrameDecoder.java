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
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final Rejections rejections;
  private int maxPayload;
  private boolean failed;

  FrameDecoder(Rejections rejections, int initialMaxPayload) {
    this.rejections = rejections;
    this.maxPayload = initialMaxPayload;
  }

  /** Called on the channel's event loop once the peer is authenticated. */
  void raiseLimit(int newMaxPayload) {
    maxPayload = newMaxPayload;
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
