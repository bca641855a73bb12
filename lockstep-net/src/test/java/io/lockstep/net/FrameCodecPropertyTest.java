package io.lockstep.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.lockstep.net.Frames.Frame;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The frame codec, the hello codec and the frame MAC, checked over generated inputs. */
class FrameCodecPropertyTest {
  private static final int MAX = 64 * 1024;

  @Provide
  Arbitrary<Frames.Frame> frames() {
    return Combinators.combine(Arbitraries.of(FrameKind.class),
            Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(2048))
        .as(Frames.Frame::new);
  }

  @Property
  void everyFrameDecodesToItselfAndConsumesExactlyItsBytes(@ForAll("frames") Frames.Frame frame) {
    byte[] bytes = Frames.encode(frame.kind(), frame.payload());
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    Frames.Decoded decoded = Frames.decode(in, MAX);
    assertThat(decoded).isEqualTo(new Frames.Complete(frame));
    assertThat(in.isReadable()).isFalse();
  }

  @Property
  void everyStrictPrefixOfAFrameAsksForMoreAndConsumesNothing(
      @ForAll("frames") Frames.Frame frame, @ForAll @IntRange(min = 0, max = 4096) int cut) {
    byte[] bytes = Frames.encode(frame.kind(), frame.payload());
    ByteBuf in = Unpooled.wrappedBuffer(Arrays.copyOf(bytes, cut % bytes.length));
    assertThat(Frames.decode(in, MAX)).isInstanceOf(Frames.NeedMore.class);
    assertThat(in.readerIndex()).isZero();
  }

  @Property(tries = 2000)
  void everySingleByteCorruptionIsDetected(@ForAll("frames") Frames.Frame frame,
      @ForAll @IntRange(min = 0, max = 1 << 20) int position,
      @ForAll @IntRange(min = 1, max = 255) int flip) {
    byte[] bytes = Frames.encode(frame.kind(), frame.payload());
    bytes[position % bytes.length] ^= (byte) flip;
    Frames.Decoded decoded = Frames.decode(Unpooled.wrappedBuffer(bytes), MAX);
    assertThat(decoded).isNotInstanceOf(Frames.Complete.class);
  }

  @Property
  void lengthsAboveTheLimitAreRefusedFromTheHeaderAlone(
      @ForAll @IntRange(min = MAX + 1) int length) {
    byte[] header = Arrays.copyOf(Frames.encode(FrameKind.DATA, new byte[0]), 8);
    header[4] = (byte) (length >>> 24);
    header[5] = (byte) (length >>> 16);
    header[6] = (byte) (length >>> 8);
    header[7] = (byte) length;
    Frames.Decoded decoded = Frames.decode(Unpooled.wrappedBuffer(header), MAX);
    assertThat(decoded).isInstanceOfSatisfying(Frames.Invalid.class,
        invalid -> assertThat(invalid.reason()).isEqualTo(RejectReason.OVERSIZED));
  }

  @Property(tries = 250)
  void nettyDecoderReassemblesFramesFromArbitraryChunks(
      @ForAll @Size(max = 8) List<@From("frames") Frame> frames,
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 700) Integer> chunkSizes) {
    ByteBuf stream = Unpooled.buffer();
    frames.forEach(f -> stream.writeBytes(Frames.encode(f.kind(), f.payload())));
    EmbeddedChannel channel = new EmbeddedChannel(
        new FrameDecoder(new Rejections("test", new NetStats()), MAX));
    int chunk = 0;
    while (stream.isReadable()) {
      int size = Math.min(stream.readableBytes(), chunkSizes.get(chunk++ % chunkSizes.size()));
      channel.writeInbound(stream.readRetainedSlice(size));
    }
    List<Frames.Frame> received = new ArrayList<>();
    for (Object frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
      received.add((Frames.Frame) frame);
    }
    assertThat(received).isEqualTo(frames);
    assertThat(channel.isOpen()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Property(tries = 250)
  void nettyDecoderDeliversNothingAfterTheFirstBadFrame(
      @ForAll("frames") Frames.Frame good, @ForAll("frames") Frames.Frame later) {
    NetStats stats = new NetStats();
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(new Rejections("t", stats), MAX));
    byte[] bad = Frames.encode(good.kind(), good.payload());
    bad[Frames.HEADER_BYTES - 1] ^= 0x40;
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(Frames.encode(good.kind(), good.payload()));
    in.writeBytes(bad);
    in.writeBytes(Frames.encode(later.kind(), later.payload()));
    channel.writeInbound(in);
    Frames.Frame first = channel.readInbound();
    Frames.Frame second = channel.readInbound();
    assertThat(first).isEqualTo(good);
    assertThat(second).isNull();
    assertThat(channel.isOpen()).isFalse();
    assertThat(stats.rejected(RejectReason.BAD_CHECKSUM)).isEqualTo(1);
  }

  /**
   * A dialer's proof and its first data, larger than a hello, in one read: the frame the
   * handshake's limit would refuse is cut only after the proof was handed on and raised it.
   */
  @Property(tries = 50)
  void framesAfterTheOneThatRaisesTheLimitAreCutWithTheRaisedLimit(
      @ForAll @IntRange(min = Hello.MAX_BYTES + 1, max = 64 * 1024) int dataBytes) {
    NetStats stats = new NetStats();
    FrameDecoder decoder = new FrameDecoder(new Rejections("t", stats), Hello.MAX_BYTES);
    List<Frames.Frame> received = new ArrayList<>();
    EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frames.Frame frame = (Frames.Frame) msg;
        if (frame.kind() == FrameKind.PROOF) {
          decoder.raiseLimit(MAX); // as SecureSession does once the proof checks out
        }
        received.add(frame);
      }
    });
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(Frames.encode(FrameKind.PROOF, new byte[64]));
    in.writeBytes(Frames.encode(FrameKind.DATA, new byte[dataBytes]));
    in.writeBytes(Frames.encode(FrameKind.DATA, new byte[dataBytes]));
    channel.writeInbound(in);
    assertThat(received).extracting(f -> f.payload().length)
        .containsExactly(64, dataBytes, dataBytes);
    assertThat(channel.isOpen()).isTrue();
    assertThat(stats.rejected(RejectReason.OVERSIZED)).isZero();
    channel.finishAndReleaseAll();
  }

  @Provide
  Arbitrary<Hello> hellos() {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1)
        .ofMaxLength(255);
    return Combinators.combine(Arbitraries.of(Role.class), Arbitraries.of(true, false),
            Arbitraries.bytes().array(byte[].class).ofSize(Hello.NONCE_BYTES), names, names)
        .as(Hello::new);
  }

  @Property
  void everyHelloDecodesToItselfAndFitsThePreAuthenticationLimit(@ForAll("hellos") Hello hello) {
    byte[] bytes = hello.encode();
    assertThat(bytes.length).isLessThanOrEqualTo(Hello.MAX_BYTES);
    assertThat(Hello.decode(bytes)).isEqualTo(hello);
  }

  @Property(tries = 250)
  void truncatedOrExtendedHellosAreRefusedWithAReason(@ForAll("hellos") Hello hello,
      @ForAll @IntRange(min = 0, max = 600) int cut) {
    byte[] bytes = hello.encode();
    byte[] truncated = Arrays.copyOf(bytes, cut % bytes.length);
    assertThatThrownBy(() -> Hello.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    byte[] extended = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> Hello.decode(extended)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing");
  }

  @Property
  void arbitraryBytesNeverMakeHelloDecodingThrowAnythingButIllegalArgument(
      @ForAll @Size(max = 400) byte[] bytes) {
    try {
      Hello.decode(bytes);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 250)
  void frameMacAcceptsFramesOnlyInTheirSendOrder(
      @ForAll @Size(min = 2, max = 10) List<@Size(max = 64) byte[]> bodies,
      @ForAll @Size(32) byte[] key) {
    FrameMac sender = new FrameMac(key);
    List<byte[]> payloads = new ArrayList<>();
    for (byte[] body : bodies) {
      byte[] tag = sender.tag(body);
      byte[] payload = Arrays.copyOf(body, body.length + tag.length);
      System.arraycopy(tag, 0, payload, body.length, tag.length);
      payloads.add(payload);
    }
    FrameMac inOrder = new FrameMac(key);
    assertThat(payloads).allMatch(inOrder::verify);
    FrameMac skipping = new FrameMac(key);
    assertThat(skipping.verify(payloads.get(1))).isFalse();
  }
}
