package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RespCodecPropertyTest {
  @Provide
  Arbitrary<RespCommand> commands() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40).list().ofMinSize(1).ofMaxSize(6)
        .map(RespCommand::new);
  }

  @Provide
  Arbitrary<RespReply> replies() {
    return Arbitraries.lazyOf(
        () -> Arbitraries.strings().withCharRange(' ', '~').withChars("éß€")
            .ofMaxLength(20).map(RespReply.Simple::new),
        () -> Arbitraries.strings().withCharRange(' ', '~').withChars("é€\r\n")
            .ofMaxLength(20).map(RespReply.Error::new),
        () -> Arbitraries.longs().map(RespReply.Int::new),
        () -> Arbitraries.bytes().array(byte[].class).ofMaxSize(30).map(RespReply.Bulk::new),
        () -> Arbitraries.just(RespReply.NIL),
        () -> Arbitraries.just(RespReply.NIL_ARRAY),
        () -> replies().list().ofMaxSize(4).map(RespReply.Array::new));
  }

  /** Feeds {@code bytes} to a fresh decoder in chunks cut at {@code cuts}; returns its output. */
  private static List<Object> decodeInChunks(byte[] bytes, List<Integer> cuts) {
    EmbeddedChannel channel = new EmbeddedChannel(new RespDecoder());
    int from = 0;
    for (int cut : cuts.stream().map(c -> c % (bytes.length + 1)).sorted().toList()) {
      channel.writeInbound(Unpooled.copiedBuffer(bytes, from, cut - from));
      from = cut;
    }
    channel.writeInbound(Unpooled.copiedBuffer(bytes, from, bytes.length - from));
    List<Object> out = new ArrayList<>();
    for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
      out.add(o);
    }
    channel.finishAndReleaseAll();
    return out;
  }

  @Property(tries = 300)
  void pipelinedCommandsSurviveAnySplitOfTheStream(
      @ForAll @Size(min = 1, max = 8) List<@From("commands") RespCommand> sent,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 5000) Integer> cuts) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    sent.forEach(c -> stream.writeBytes(c.encode()));
    assertThat(decodeInChunks(stream.toByteArray(), cuts)).isEqualTo(new ArrayList<>(sent));
  }

  @Property(tries = 300)
  void inlineCommandsWithHexEscapesDecodeToTheirBytes(
      @ForAll("commands") RespCommand sent,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 2000) Integer> cuts) {
    StringBuilder line = new StringBuilder();
    for (byte[] arg : sent.args()) {
      line.append('"');
      for (byte b : arg) {
        line.append(String.format("\\x%02x", b & 0xFF));
      }
      line.append("\" ");
    }
    byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    assertThat(decodeInChunks(bytes, cuts)).containsExactly(sent);
  }

  @Property(tries = 500)
  void garbageYieldsCommandsThenAtMostOneProtocolErrorAndNeverAnException(
      @ForAll @Size(max = 300) byte[] garbage,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 400) Integer> cuts) {
    List<Object> out = decodeInChunks(garbage, cuts);
    for (int i = 0; i < out.size(); i++) {
      Object o = out.get(i);
      assertThat(o).isInstanceOfAny(RespCommand.class, RespProtocolError.class);
      if (o instanceof RespProtocolError) {
        assertThat(i).as("a protocol error is the last thing decoded").isEqualTo(out.size() - 1);
      }
    }
  }

  @Property(tries = 300)
  void garbageInsideAnArrayIsAProtocolError(@ForAll("commands") RespCommand sent,
      @ForAll @IntRange(min = 0, max = 255) int wrongByte) {
    byte[] good = sent.encode();
    // The byte after "*n\r\n" must be '$': anything else breaks the protocol.
    int firstBulk = new String(good, StandardCharsets.ISO_8859_1).indexOf('$');
    if (wrongByte == '$') {
      return;
    }
    good[firstBulk] = (byte) wrongByte;
    assertThat(decodeInChunks(good, List.of())).singleElement()
        .isInstanceOf(RespProtocolError.class);
  }

  @Property(tries = 500)
  void repliesRoundTripThroughEncodeAndParse(@ForAll("replies") RespReply reply) {
    assertThat(RespReplies.parse(RespReplies.encode(reply))).isEqualTo(reply);
  }

  @Property(tries = 200)
  void nettyEncoderWritesTheSameBytesAsRespReplies(@ForAll("replies") RespReply reply) {
    EmbeddedChannel channel = new EmbeddedChannel(new RespEncoder());
    channel.writeOutbound(reply);
    ByteBuf written = channel.readOutbound();
    byte[] bytes = new byte[written.readableBytes()];
    written.readBytes(bytes);
    written.release();
    channel.finishAndReleaseAll();
    assertThat(bytes).isEqualTo(RespReplies.encode(reply));
  }

  /** Parse either refuses (IllegalArgumentException only) or accepts a canonical encoding. */
  @Property(tries = 1000)
  void parsedGarbageIsRefusedOrReencodesToTheSameBytes(@ForAll("replyLike") byte[] garbage) {
    RespReply parsed;
    try {
      parsed = RespReplies.parse(garbage);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(RespReplies.encode(parsed)).isEqualTo(garbage);
  }

  /** Random bytes, often starting like a reply so that the parser gets past the first byte. */
  @Provide
  Arbitrary<byte[]> replyLike() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
    Arbitrary<byte[]> mutated = Combinators.combine(replies(), Arbitraries.integers().between(0, 200),
        Arbitraries.bytes()).as((reply, at, value) -> {
          byte[] bytes = RespReplies.encode(reply);
          bytes[at % bytes.length] = value;
          return bytes;
        });
    return Arbitraries.oneOf(random, mutated);
  }
}
