package io.lockstep.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.codec.WireReader.MalformedException;
import io.lockstep.codec.WireWriter;
import io.lockstep.replica.Checkpoint;
import io.lockstep.server.wire.PeerEnvelope.Payload;
import io.lockstep.server.wire.PeerEnvelope.RelayedRequest;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Relayed client requests on the peer port: alone (runtime kind 4) or followed in the same
 * frame by one more payload (kind 5), each request's bytes with the receiver's 16-byte tag.
 * Relayed requests never nest, and a count of zero or a cut tag is malformed.
 */
class PeerEnvelopeRelayedTest {
  private static final String DIGEST =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  private static byte[] tag(int seed) {
    byte[] tag = new byte[Authenticator.TAG_BYTES];
    Arrays.fill(tag, (byte) seed);
    return tag;
  }

  private static final List<RelayedRequest> TWO = List.of(
      new RelayedRequest(new byte[] {1, 2, 3}, tag(7)),
      new RelayedRequest(new byte[0], tag(8)));

  private static Payload.Relayed decodeRelayed(byte[] bytes) {
    Payload p = PeerEnvelope.decode(bytes);
    assertThat(p).isInstanceOf(Payload.Relayed.class);
    return (Payload.Relayed) p;
  }

  /** RelayedRequest holds arrays, so its record equality is identity: compare the contents. */
  private static void assertSameRequests(List<RelayedRequest> actual,
      List<RelayedRequest> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).request()).as("request %d", i)
          .isEqualTo(expected.get(i).request());
      assertThat(actual.get(i).tag()).as("tag %d", i).isEqualTo(expected.get(i).tag());
    }
  }

  @Test
  void relayedRequestsAloneRoundTripAsKindFour() {
    byte[] bytes = PeerEnvelope.relayed(TWO);
    assertThat(bytes[0]).isEqualTo((byte) PeerEnvelope.RUNTIME);
    assertThat(bytes[1]).isEqualTo((byte) 4);
    // u8 channel, u8 kind, i32 count, then {i32 length, bytes, 16-byte tag} each.
    assertThat(bytes).hasSize(2 + 4 + (4 + 3 + 16) + (4 + 16));
    Payload.Relayed decoded = decodeRelayed(bytes);
    assertSameRequests(decoded.requests(), TWO);
    assertThat(decoded.then()).isNull();
  }

  @Property(tries = 200)
  void relayedRequestsThenAProtocolMessageRoundTripAsKindFive(
      @ForAll @Size(max = 200) byte[] message, @ForAll @Size(max = 100) byte[] request,
      @ForAll @IntRange(min = 1, max = 5) int count) {
    List<RelayedRequest> requests = java.util.Collections.nCopies(count,
        new RelayedRequest(request, tag(count)));
    byte[] bytes = PeerEnvelope.relayed(requests, PeerEnvelope.protocol(message));
    assertThat(bytes[1]).isEqualTo((byte) 5);
    Payload.Relayed decoded = decodeRelayed(bytes);
    assertSameRequests(decoded.requests(), requests);
    assertThat(decoded.then()).isInstanceOf(Payload.Protocol.class);
    assertThat(((Payload.Protocol) decoded.then()).message()).isEqualTo(message);
  }

  @Test
  void relayedRequestsThenACheckpointDigestOrAClockProbeRoundTrip() {
    Checkpoint checkpoint = new Checkpoint(12, DIGEST);
    Payload.Relayed withDigest =
        decodeRelayed(PeerEnvelope.relayed(TWO, PeerEnvelope.checkpoint(checkpoint)));
    assertSameRequests(withDigest.requests(), TWO);
    assertThat(withDigest.then()).isEqualTo(new Payload.CheckpointDigest(checkpoint));
    Payload.Relayed withProbe = decodeRelayed(PeerEnvelope.relayed(TWO,
        PeerEnvelope.clockProbe(99)));
    assertThat(withProbe.then()).isEqualTo(new Payload.ClockProbe(99));
  }

  @Test
  void theMessageRidingWithRelayedRequestsIsCheckedAsStrictlyAsAlone() {
    byte[] digest = PeerEnvelope.checkpoint(new Checkpoint(12, DIGEST));
    byte[] longer = PeerEnvelope.relayed(TWO, Arrays.copyOf(digest, digest.length + 1));
    assertThatThrownBy(() -> PeerEnvelope.decode(longer)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("trailing");
    byte[] nothingAfter = PeerEnvelope.relayed(TWO, new byte[0]);
    assertThat(nothingAfter[1]).isEqualTo((byte) 5);
    assertThatThrownBy(() -> PeerEnvelope.decode(nothingAfter))
        .isInstanceOf(MalformedException.class).hasMessageContaining("truncated");
  }

  @Test
  void relayedRequestsAreNotNestedWhenEncoded() {
    assertThatThrownBy(() -> PeerEnvelope.relayed(TWO, PeerEnvelope.relayed(TWO)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not nested");
    assertThatThrownBy(() -> PeerEnvelope.relayed(TWO,
        PeerEnvelope.relayed(TWO, PeerEnvelope.protocol(new byte[] {1}))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not nested");
  }

  @Test
  void relayedRequestsNestedInRelayedRequestsAreRefusedWhenDecoded() {
    // Written by hand: the encoder refuses to make it.
    byte[] inner = PeerEnvelope.relayed(TWO);
    byte[] outer = PeerEnvelope.relayed(TWO, PeerEnvelope.protocol(new byte[0]));
    byte[] nested = Arrays.copyOf(outer, outer.length - 1 + inner.length);
    System.arraycopy(inner, 0, nested, outer.length - 1, inner.length);
    assertThat(nested[1]).isEqualTo((byte) 5);
    assertThatThrownBy(() -> PeerEnvelope.decode(nested)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("nested");
    byte[] innerThen = PeerEnvelope.relayed(TWO, PeerEnvelope.clockProbe(1));
    byte[] nestedThen = Arrays.copyOf(outer, outer.length - 1 + innerThen.length);
    System.arraycopy(innerThen, 0, nestedThen, outer.length - 1, innerThen.length);
    assertThatThrownBy(() -> PeerEnvelope.decode(nestedThen))
        .isInstanceOf(MalformedException.class).hasMessageContaining("nested");
  }

  @Test
  void nothingToRelayIsRefusedWhenEncodedAndACountOfZeroWhenDecoded() {
    assertThatThrownBy(() -> PeerEnvelope.relayed(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to relay");
    byte[] none = new WireWriter().writeByte(PeerEnvelope.RUNTIME).writeByte(4).writeInt(0)
        .toByteArray();
    assertThatThrownBy(() -> PeerEnvelope.decode(none)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("none");
    byte[] noneThen = new WireWriter().writeByte(PeerEnvelope.RUNTIME).writeByte(5).writeInt(0)
        .writeRaw(PeerEnvelope.protocol(new byte[] {1})).toByteArray();
    assertThatThrownBy(() -> PeerEnvelope.decode(noneThen))
        .isInstanceOf(MalformedException.class).hasMessageContaining("none");
    byte[] negative = new WireWriter().writeByte(PeerEnvelope.RUNTIME).writeByte(4).writeInt(-1)
        .toByteArray();
    assertThatThrownBy(() -> PeerEnvelope.decode(negative))
        .isInstanceOf(MalformedException.class);
  }

  @Test
  void aTruncatedTagIsRefused() {
    byte[] bytes = PeerEnvelope.relayed(List.of(new RelayedRequest(new byte[40], tag(1))));
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> PeerEnvelope.decode(cut)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("truncated tag of relayed request 0");
    // The last of two requests' tags, one byte short.
    byte[] two = PeerEnvelope.relayed(TWO);
    byte[] lastCut = Arrays.copyOf(two, two.length - 1);
    assertThatThrownBy(() -> PeerEnvelope.decode(lastCut)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("truncated tag of relayed request 1");
  }

  @Test
  void everyTruncationOrExtensionOfRelayedRequestsAloneIsRefused() {
    byte[] bytes = PeerEnvelope.relayed(TWO);
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> PeerEnvelope.decode(prefix)).as("cut at %d", cut)
          .isInstanceOf(MalformedException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> PeerEnvelope.decode(longer)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("1 unexpected trailing bytes");
  }

  @Test
  void aTagOfAnotherLengthIsNotEncoded() {
    assertThatThrownBy(() -> PeerEnvelope.relayed(List.of(
        new RelayedRequest(new byte[] {1}, new byte[15]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
  }
}
