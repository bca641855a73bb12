package io.lockstep.redis;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes what Redis clients send (RESP2) into {@link RespCommand}s: arrays of bulk strings
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline command lines ({@code GET k\r\n}), as
 * Redis's {@code processMultibulkBuffer} and {@code processInlineBuffer} do. Several commands
 * in one read (pipelining) and one command split across many reads both work: the decoder keeps
 * its place between reads, so a command that arrives byte by byte costs no re-parsing.
 *
 * <p>Every limit of {@link RespLimits} is checked on the header, before the bytes it announces
 * are buffered. A protocol violation emits one {@link RespProtocolError} (with Redis's wording)
 * after the commands that preceded it, and everything after it on the connection is discarded:
 * the handler answers the earlier commands, then the error, then closes, as Redis does.
 *
 * <p>One instance per connection (it is stateful); it runs on the connection's event loop.
 */
public final class RespDecoder extends ByteToMessageDecoder {
  private static final long NEED_MORE = Long.MIN_VALUE;

  private final RespLimits limits;
  /** Arguments of the array being read, or null between commands. */
  private List<byte[]> args;
  private long remaining;
  private long commandBytes;
  /** Length announced by the last {@code $} header whose data is still awaited, or -1. */
  private int bulkLength = -1;
  private boolean failed;

  public RespDecoder(RespLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A decoder with {@link RespLimits#DEFAULTS}. */
  public RespDecoder() {
    this(RespLimits.DEFAULTS);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      RespCommand command = args == null ? startCommand(in) : continueArray(in);
      if (command != null) {
        out.add(command);
      }
    } catch (Violation v) {
      failed = true;
      args = null;
      in.skipBytes(in.readableBytes());
      out.add(new RespProtocolError(v.getMessage()));
    }
  }

  private RespCommand startCommand(ByteBuf in) {
    if (in.getByte(in.readerIndex()) != '*') {
      return inline(in);
    }
    long count = header(in, "too big mbulk count string", "invalid multibulk length");
    if (count == NEED_MORE || count <= 0) {
      // Redis ignores empty and null arrays.
      return null;
    }
    if (count > limits.maxArgs()) {
      throw new Violation("invalid multibulk length");
    }
    args = new ArrayList<>((int) Math.min(count, 64));
    remaining = count;
    commandBytes = 0;
    return continueArray(in);
  }

  private RespCommand continueArray(ByteBuf in) {
    while (remaining > 0) {
      if (bulkLength < 0 && !readBulkHeader(in)) {
        return null;
      }
      if (in.readableBytes() < bulkLength + 2L) {
        return null;
      }
      byte[] arg = new byte[bulkLength];
      in.readBytes(arg);
      if (in.readByte() != '\r' || in.readByte() != '\n') {
        throw new Violation("expected CRLF after bulk data");
      }
      args.add(arg);
      bulkLength = -1;
      remaining--;
    }
    RespCommand command = new RespCommand(args);
    args = null;
    return command;
  }

  /** Reads a {@code $<length>} line; false when more bytes are needed. */
  private boolean readBulkHeader(ByteBuf in) {
    if (!in.isReadable()) {
      return false;
    }
    byte first = in.getByte(in.readerIndex());
    if (first != '$') {
      throw new Violation("expected '$', got '" + printable(first) + "'");
    }
    long length = header(in, "too big bulk count string", "invalid bulk length");
    if (length == NEED_MORE) {
      return false;
    }
    if (length < 0 || length > limits.maxBulkBytes()) {
      throw new Violation("invalid bulk length");
    }
    commandBytes += length;
    if (commandBytes > limits.maxCommandBytes()) {
      throw new Violation("command too large: more than " + limits.maxCommandBytes()
          + " bytes of arguments");
    }
    bulkLength = (int) length;
    return true;
  }

  /**
   * Reads a header line ({@code *n} or {@code $n}) and returns its integer, or NEED_MORE if
   * its CRLF has not arrived yet.
   */
  private long header(ByteBuf in, String tooBig, String invalid) {
    int start = in.readerIndex();
    int searchEnd = (int) Math.min(in.writerIndex(), start + (long) limits.maxInlineBytes() + 1);
    int cr = in.indexOf(start, searchEnd, (byte) '\r');
    if (cr < 0) {
      if (in.readableBytes() > limits.maxInlineBytes()) {
        throw new Violation(tooBig);
      }
      return NEED_MORE;
    }
    if (cr + 1 >= in.writerIndex()) {
      return NEED_MORE;
    }
    if (in.getByte(cr + 1) != '\n') {
      throw new Violation(invalid);
    }
    byte[] digits = new byte[cr - start - 1];
    in.getBytes(start + 1, digits);
    in.readerIndex(cr + 2);
    try {
      return RedisNumbers.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new Violation(invalid);
    }
  }

  /** An inline command: one line of blank-separated, possibly quoted arguments. */
  private RespCommand inline(ByteBuf in) {
    int start = in.readerIndex();
    int searchEnd = (int) Math.min(in.writerIndex(), start + (long) limits.maxInlineBytes() + 1);
    int newline = in.indexOf(start, searchEnd, (byte) '\n');
    if (newline < 0) {
      if (in.readableBytes() > limits.maxInlineBytes()) {
        throw new Violation("too big inline request");
      }
      return null;
    }
    int end = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    in.readerIndex(newline + 1);
    List<byte[]> words = InlineParser.split(line);
    if (words == null) {
      throw new Violation("unbalanced quotes in request");
    }
    if (words.size() > limits.maxArgs()) {
      throw new Violation("invalid multibulk length");
    }
    // Redis ignores empty lines (some clients send a bare newline as a keep-alive).
    return words.isEmpty() ? null : new RespCommand(words);
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF);
  }

  /** A protocol violation, carrying Redis's wording; never leaves this class. */
  private static final class Violation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Violation(String reason) {
      super(reason, null, false, false);
    }
  }
}
