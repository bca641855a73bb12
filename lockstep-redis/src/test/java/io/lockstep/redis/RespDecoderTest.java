package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespDecoderTest {
  private static List<Object> decode(RespLimits limits, String... chunks) {
    EmbeddedChannel channel = new EmbeddedChannel(new RespDecoder(limits));
    for (String chunk : chunks) {
      channel.writeInbound(Unpooled.wrappedBuffer(chunk.getBytes(StandardCharsets.ISO_8859_1)));
    }
    List<Object> out = new ArrayList<>();
    for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
      out.add(o);
    }
    channel.finishAndReleaseAll();
    return out;
  }

  private static List<Object> decode(String... chunks) {
    return decode(RespLimits.DEFAULTS, chunks);
  }

  @Test
  void pipelinedArraysDecodeInArrivalOrder() {
    assertThat(decode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"))
        .containsExactly(RespCommand.of("GET", "k"), RespCommand.of("SET", "k", ""));
  }

  @Test
  void commandSplitAcrossReadsDecodesOnceComplete() {
    assertThat(decode("*2\r", "\n$3\r\nGE", "T\r\n$1", "\r\nk\r", "\n"))
        .containsExactly(RespCommand.of("GET", "k"));
  }

  @Test
  void bulkStringsAreBinarySafe() {
    assertThat(decode("*2\r\n$4\r\nECHO\r\n$4\r\na\r\n\0\r\n"))
        .containsExactly(RespCommand.of("ECHO", "a\r\n\0"));
  }

  @Test
  void inlineCommandsSplitLikeRedisSdssplitargs() {
    assertThat(decode("SET  k \"a b\\n\\x41\" 'it\\'s'\r\nPING\n"))
        .containsExactly(RespCommand.of("SET", "k", "a b\nA", "it's"), RespCommand.of("PING"));
  }

  @Test
  void emptyLinesAndEmptyArraysAreIgnoredAsInRedis() {
    assertThat(decode("\r\n*0\r\n*-1\r\n  \r\nPING\r\n")).containsExactly(RespCommand.of("PING"));
  }

  @Test
  void unbalancedQuotesAreAProtocolError() {
    assertThat(decode("SET k \"abc\r\n"))
        .containsExactly(new RespProtocolError("unbalanced quotes in request"));
    assertThat(decode("SET k \"abc\"x\r\n"))
        .containsExactly(new RespProtocolError("unbalanced quotes in request"));
  }

  @Test
  void bulkLongerThanTheLimitIsRefusedFromItsHeaderAlone() {
    RespLimits small = new RespLimits(16, 10, 64, 100);
    assertThat(decode(small, "*2\r\n$3\r\nGET\r\n$11\r\n"))
        .containsExactly(new RespProtocolError("invalid bulk length"));
  }

  @Test
  void negativeOrNonNumericLengthsAreProtocolErrors() {
    assertThat(decode("*1\r\n$-1\r\n")).containsExactly(new RespProtocolError("invalid bulk length"));
    assertThat(decode("*x\r\n")).containsExactly(new RespProtocolError("invalid multibulk length"));
    assertThat(decode("*1\r\n$01\r\nx\r\n"))
        .containsExactly(new RespProtocolError("invalid bulk length"));
  }

  @Test
  void tooManyArgumentsIsAnInvalidMultibulkLength() {
    RespLimits small = new RespLimits(2, 10, 64, 100);
    assertThat(decode(small, "*3\r\n"))
        .containsExactly(new RespProtocolError("invalid multibulk length"));
  }

  @Test
  void argumentsBeyondTheCommandLimitAreRefused() {
    RespLimits small = new RespLimits(16, 10, 64, 12);
    assertThat(decode(small, "*3\r\n$3\r\nSET\r\n$5\r\nkkkkk\r\n$5\r\n"))
        .containsExactly(new RespProtocolError(
            "command too large: more than 12 bytes of arguments"));
  }

  @Test
  void somethingOtherThanABulkInsideAnArrayIsAProtocolError() {
    assertThat(decode("*1\r\n:1\r\n")).containsExactly(new RespProtocolError("expected '$', got ':'"));
    assertThat(decode("*1\r\n\u0001"))
        .containsExactly(new RespProtocolError("expected '$', got '\\x01'"));
  }

  @Test
  void bulkNotFollowedByCrlfIsAProtocolError() {
    assertThat(decode("*1\r\n$1\r\nab\r\n"))
        .containsExactly(new RespProtocolError("expected CRLF after bulk data"));
  }

  @Test
  void overlongInlineLineOrHeaderIsRefusedWithoutWaitingForItsEnd() {
    RespLimits small = new RespLimits(16, 10, 20, 100);
    assertThat(decode(small, "GET " + "k".repeat(40)))
        .containsExactly(new RespProtocolError("too big inline request"));
    assertThat(decode(small, "*" + "1".repeat(40)))
        .containsExactly(new RespProtocolError("too big mbulk count string"));
    assertThat(decode(small, "*1\r\n$" + "1".repeat(40)))
        .containsExactly(new RespProtocolError("too big bulk count string"));
  }

  @Test
  void commandsBeforeAProtocolErrorArriveAndNothingAfterIt() {
    assertThat(decode("PING\r\n*1\r\n$x\r\n", "PING\r\n", "*1\r\n$4\r\nPING\r\n"))
        .containsExactly(RespCommand.of("PING"), new RespProtocolError("invalid bulk length"));
  }
}
