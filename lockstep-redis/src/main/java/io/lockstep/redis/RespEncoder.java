package io.lockstep.redis;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link RespReply}s to the connection in RESP2. Stateless, so one instance serves every
 * connection.
 */
@ChannelHandler.Sharable
public final class RespEncoder extends MessageToByteEncoder<RespReply> {
  public RespEncoder() {
    super(RespReply.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, RespReply reply, ByteBuf out) {
    RespReplies.write(reply, new RespReplies.Sink() {
      @Override
      public void put(byte b) {
        out.writeByte(b);
      }

      @Override
      public void put(byte[] bytes) {
        out.writeBytes(bytes);
      }
    });
  }
}
