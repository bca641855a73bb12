package io.lockstep.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The client's own signature in a request frame (type 16): a client handing each request to one
 * replica of a Byzantine classic order sends it, and unsigned frames keep the layout earlier
 * clients send and earlier replicas read.
 */
class ClientCodecSignedTest {
  private static final Request REQUEST =
      Request.command(ClientId.of("alice"), 3, "set x 1".getBytes());

  private static byte[] signature() {
    return RequestSignature.sign(REQUEST,
        Ed25519Signer.seededKeyPairs(List.of(0), 5).get(0).getPrivate());
  }

  @Test
  void aSignedRequestRoundTripsWithItsSignatureAsTypeSixteen() {
    byte[] signature = signature();
    byte[] bytes = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true, signature));
    assertThat(bytes[1]).isEqualTo((byte) 16);
    ClientMessage.Submit decoded = (ClientMessage.Submit) ClientCodec.decode(bytes);
    assertThat(decoded.clientSignature()).isEqualTo(signature);
    assertThat(decoded.request()).isEqualTo(REQUEST);
    assertThat(decoded.learnsConfiguration()).isTrue();
    assertThat(decoded).isEqualTo(new ClientMessage.Submit(7, REQUEST, true, signature));
    assertThat(decoded).isNotEqualTo(new ClientMessage.Submit(7, REQUEST, true));
  }

  @Test
  void unsignedFramesKeepTheLayoutEarlierClientsSendAndDecodeWithoutASignature() {
    byte[] learning = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true));
    byte[] plain = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST));
    assertThat(learning[1]).isEqualTo((byte) 10);
    assertThat(plain[1]).isEqualTo((byte) 1);
    // An earlier build's type-10 frame, written field by field as that build wrote it.
    byte[] earlier = new BinaryWriter(64).writeByte(WireFormat.VERSION).writeByte(10)
        .writeLong(7).writeRequest(REQUEST).toByteArray();
    assertThat(learning).isEqualTo(earlier);
    assertThat(((ClientMessage.Submit) ClientCodec.decode(earlier)).clientSignature()).isNull();
    assertThat(((ClientMessage.Submit) ClientCodec.decode(plain)).clientSignature()).isNull();
    byte[] signed = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true, signature()));
    assertThat(Arrays.copyOfRange(signed, 2, learning.length))
        .as("a signed frame is the type-10 frame with the signature after it")
        .isEqualTo(Arrays.copyOfRange(learning, 2, learning.length));
  }

  @Property(tries = 40)
  void aSignatureOfAnyOtherLengthIsRefusedNamingItsLength(
      @ForAll @IntRange(min = 0, max = 63) int length) {
    byte[] frame = new BinaryWriter(128).writeByte(WireFormat.VERSION).writeByte(16)
        .writeLong(7).writeRequest(REQUEST).writeBytes(new byte[length]).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(frame)).isInstanceOf(CodecException.class)
        .hasMessageContaining("malformed client signature (" + length + " bytes, 64 expected)");
  }

  @Property(tries = 20)
  void anOverlongSignatureIsRefusedBeforeItIsRead(
      @ForAll @LongRange(min = 65, max = Integer.MAX_VALUE) long length) {
    byte[] frame = new BinaryWriter(64).writeByte(WireFormat.VERSION).writeByte(16)
        .writeLong(7).writeRequest(REQUEST).writeInt((int) length).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(frame)).isInstanceOf(CodecException.class)
        .hasMessageContaining("request.clientSignature")
        .hasMessageContaining("exceeds the limit of 64 bytes");
  }

  @Test
  void aSignedFrameWithoutItsSignatureIsRefused() {
    byte[] frame = new BinaryWriter(64).writeByte(WireFormat.VERSION).writeByte(16)
        .writeLong(7).writeRequest(REQUEST).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(frame)).isInstanceOf(CodecException.class)
        .hasMessageContaining("request.clientSignature");
  }

  @Test
  void onlyAClientThatReadsConfigurationVersionsSigns() {
    assertThatThrownBy(() -> new ClientMessage.Submit(7, REQUEST, false, signature()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learnsConfiguration");
  }

  @Property(tries = 30)
  void theSignatureCannotBeAlteredThroughTheMessage(@ForAll @IntRange(min = 0, max = 63) int at) {
    ClientMessage.Submit m = new ClientMessage.Submit(7, REQUEST, true, signature());
    byte[] copy = m.clientSignature();
    copy[at] ^= 1;
    assertThat(m.clientSignature()).isEqualTo(signature());
  }
}
