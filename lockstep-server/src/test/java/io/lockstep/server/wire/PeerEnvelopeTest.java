package io.lockstep.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.codec.WireReader.MalformedException;
import io.lockstep.replica.Checkpoint;
import io.lockstep.server.wire.PeerEnvelope.Payload;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The peer port's channel byte: protocol bytes pass through untouched, digests round-trip. */
class PeerEnvelopeTest {
  private static final String DIGEST =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Property(tries = 300)
  void protocolBytesPassThroughUnchanged(@ForAll @Size(max = 300) byte[] message) {
    byte[] wrapped = PeerEnvelope.protocol(message);
    assertThat(wrapped[0]).isEqualTo((byte) PeerEnvelope.PROTOCOL);

    Payload decoded = PeerEnvelope.decode(wrapped);

    assertThat(decoded).isInstanceOf(Payload.Protocol.class);
    assertThat(((Payload.Protocol) decoded).message()).isEqualTo(message);
  }

  @Property(tries = 300)
  void checkpointDigestsRoundTrip(@ForAll @LongRange(min = 1) long position,
      @ForAll @Size(value = 32) byte[] digest) {
    Checkpoint checkpoint = new Checkpoint(position, HexFormat.of().formatHex(digest));
    byte[] bytes = PeerEnvelope.checkpoint(checkpoint);
    assertThat(bytes).hasSize(2 + 8 + 32);

    assertThat(PeerEnvelope.decode(bytes)).isEqualTo(new Payload.CheckpointDigest(checkpoint));
  }

  @Property(tries = 500)
  void garbageIsEitherAProtocolPayloadOrRefusedWithAReason(@ForAll byte[] garbage) {
    try {
      Payload p = PeerEnvelope.decode(garbage);
      if (p instanceof Payload.Protocol) {
        assertThat(garbage[0]).isEqualTo((byte) PeerEnvelope.PROTOCOL);
      } else {
        assertThat(garbage).hasSize(42);
      }
    } catch (MalformedException expected) {
      assertThat(expected.getMessage()).startsWith("malformed peer payload: ");
    }
  }

  @Test
  void everyTruncationOrExtensionOfADigestIsRefused() {
    byte[] bytes = PeerEnvelope.checkpoint(new Checkpoint(1000, DIGEST));
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> PeerEnvelope.decode(prefix)).isInstanceOf(MalformedException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> PeerEnvelope.decode(longer)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("1 unexpected trailing bytes");
  }

  @Test
  void unknownChannelsKindsAndPositionsBelowOneAreRefusedByName() {
    assertThatThrownBy(() -> PeerEnvelope.decode(new byte[] {7, 1}))
        .isInstanceOf(MalformedException.class).hasMessageContaining("unknown channel 7");
    assertThatThrownBy(() -> PeerEnvelope.decode(new byte[] {1, 9}))
        .isInstanceOf(MalformedException.class).hasMessageContaining("runtime message kind 9");
    byte[] zero = PeerEnvelope.checkpoint(new Checkpoint(1, DIGEST));
    Arrays.fill(zero, 2, 10, (byte) 0);
    assertThatThrownBy(() -> PeerEnvelope.decode(zero)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("position 0 is below 1");
    assertThatThrownBy(() -> PeerEnvelope.decode(new byte[0]))
        .isInstanceOf(MalformedException.class).hasMessageContaining("truncated");
  }

  @Test
  void onlyRealDigestsAreEncoded() {
    assertThatThrownBy(() -> PeerEnvelope.checkpoint(new Checkpoint(5, "abcd")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerEnvelope.checkpoint(new Checkpoint(0, DIGEST)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 300)
  void clockProbesAndEchoesRoundTripAndRefuseTruncationAndTrailingBytes(
      @ForAll long sentAt, @ForAll long receivedAt) {
    assertThat(PeerEnvelope.decode(PeerEnvelope.clockProbe(sentAt)))
        .isEqualTo(new Payload.ClockProbe(sentAt));
    byte[] echo = PeerEnvelope.clockEcho(sentAt, receivedAt);
    assertThat(PeerEnvelope.decode(echo)).isEqualTo(new Payload.ClockEcho(sentAt, receivedAt));
    assertThatThrownBy(() -> PeerEnvelope.decode(Arrays.copyOf(echo, echo.length - 1)))
        .isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> PeerEnvelope.decode(Arrays.copyOf(echo, echo.length + 1)))
        .isInstanceOf(MalformedException.class).hasMessageContaining("trailing");
  }
}
