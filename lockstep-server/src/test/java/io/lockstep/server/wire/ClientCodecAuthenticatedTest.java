package io.lockstep.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A request with its client's MAC authenticator (type 17), which a relay-mode client hands to
 * one replica of a PBFT cluster: it round-trips, and a frame whose authenticator is not 1 to 64
 * distinct replicas' 16-byte tags, or has bytes after it, is refused as malformed.
 */
class ClientCodecAuthenticatedTest {
  private static final Request REQUEST =
      Request.command(ClientId.of("alice"), 3, "set x 1".getBytes());

  private static byte[] tag(int seed) {
    byte[] tag = new byte[Authenticator.TAG_BYTES];
    Arrays.fill(tag, (byte) seed);
    tag[0] = (byte) (seed * 31);
    return tag;
  }

  private static Authenticator authenticator(int... replicas) {
    return TestAuthenticators.of(ClientCodecAuthenticatedTest::tag, replicas);
  }

  /** A type-17 frame up to its authenticator's count, written field by field. */
  private static BinaryWriter frame(int count) {
    return new BinaryWriter(128).writeByte(WireFormat.VERSION).writeByte(17).writeLong(7)
        .writeRequest(REQUEST).writeByte(count);
  }

  @Test
  void anAuthenticatedRequestRoundTripsAsTypeSeventeen() {
    ClientMessage.Submit sent = new ClientMessage.Submit(7, REQUEST, true, null,
        authenticator(1, 2, 3, 4));
    byte[] bytes = ClientCodec.encode(sent);
    assertThat(bytes[1]).isEqualTo((byte) 17);
    ClientMessage.Submit decoded = (ClientMessage.Submit) ClientCodec.decode(bytes);
    assertThat(decoded).isEqualTo(sent);
    assertThat(decoded.clientSignature()).isNull();
    assertThat(decoded.learnsConfiguration()).isTrue();
    assertThat(decoded.authenticator().tagFor(3)).isEqualTo(tag(3));
    assertThat(decoded.authenticator().tagFor(5)).isNull();
    // Equality sees the tags: another tag for one replica is another message.
    assertThat(decoded).isNotEqualTo(new ClientMessage.Submit(7, REQUEST, true, null,
        new Authenticator(List.of(new Authenticator.Tag(1, tag(1)), new Authenticator.Tag(2,
            tag(1)), new Authenticator.Tag(3, tag(3)), new Authenticator.Tag(4, tag(4))))));
    assertThat(decoded).isNotEqualTo(new ClientMessage.Submit(7, REQUEST, true));
  }

  @Test
  void theFrameIsTheTypeTenFrameThenTheCountAndEachReplicasTag() {
    byte[] learning = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true));
    byte[] bytes = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true, null,
        authenticator(2, 9)));
    byte[] expected = frame(2).writeInt(2).writeRaw(tag(2), 0, 16).writeInt(9)
        .writeRaw(tag(9), 0, 16).toByteArray();
    assertThat(bytes).isEqualTo(expected);
    assertThat(Arrays.copyOfRange(bytes, 2, learning.length))
        .isEqualTo(Arrays.copyOfRange(learning, 2, learning.length));
  }

  @Property(tries = 30)
  void anyNumberOfTagsFromOneTo64RoundTrips(@ForAll @IntRange(min = 1, max = 64) int count) {
    int[] replicas = new int[count];
    for (int i = 0; i < count; i++) {
      replicas[i] = i * 7 - 3; // any i32 names a replica on the wire
    }
    ClientMessage.Submit sent = new ClientMessage.Submit(1, REQUEST, true, null,
        authenticator(replicas));
    assertThat(ClientCodec.decode(ClientCodec.encode(sent))).isEqualTo(sent);
  }

  @Test
  void everyTruncationIsRefused() {
    byte[] bytes = ClientCodec.encode(new ClientMessage.Submit(7, REQUEST, true, null,
        authenticator(1, 2)));
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> ClientCodec.decode(prefix)).as("cut at %d", cut)
          .isInstanceOf(CodecException.class);
    }
  }

  @Test
  void anAuthenticatorWithoutTagsIsRefused() {
    byte[] none = frame(0).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(none)).isInstanceOf(CodecException.class)
        .hasMessageContaining("type 17").hasMessageContaining("not 0");
  }

  @Test
  void moreThan64TagsAreRefused() {
    BinaryWriter out = frame(65);
    for (int r = 1; r <= 65; r++) {
      out.writeInt(r).writeRaw(tag(r), 0, 16);
    }
    byte[] bytes = out.toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("not 65");
  }

  @Test
  void aReplicaNamedTwiceIsRefused() {
    byte[] twice = frame(2).writeInt(3).writeRaw(tag(3), 0, 16).writeInt(3)
        .writeRaw(tag(4), 0, 16).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(twice)).isInstanceOf(CodecException.class)
        .hasMessageContaining("names a replica twice");
  }

  @Test
  void aTruncatedTagIsRefused() {
    byte[] short15 = frame(1).writeInt(1).writeRaw(tag(1), 0, 15).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(short15)).isInstanceOf(CodecException.class)
        .hasMessageContaining("authenticator.tag");
    // The count promises two tags; the second is cut short.
    byte[] secondCut = frame(2).writeInt(1).writeRaw(tag(1), 0, 16).writeInt(2)
        .writeRaw(tag(2), 0, 8).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(secondCut)).isInstanceOf(CodecException.class)
        .hasMessageContaining("authenticator.tag");
  }

  @Test
  void trailingBytesAfterTheAuthenticatorAreRefused() {
    byte[] trailing = frame(1).writeInt(1).writeRaw(tag(1), 0, 16).writeByte(0).toByteArray();
    assertThatThrownBy(() -> ClientCodec.decode(trailing)).isInstanceOf(CodecException.class)
        .hasMessageContaining("type 17").hasMessageContaining("1 unexpected trailing bytes");
  }

  @Test
  void aRequestIsEitherSignedOrAuthenticatedAndOnlyFromAClientThatLearnsConfigurations() {
    byte[] signature = new byte[64];
    assertThatThrownBy(() -> new ClientMessage.Submit(7, REQUEST, true, signature,
        authenticator(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> new ClientMessage.Submit(7, REQUEST, false, null,
        authenticator(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("learnsConfiguration");
  }

  @Test
  void anAuthenticatorCarriesOneTo64TagsOf16BytesForDistinctReplicas() {
    List<Authenticator.Tag> tags = new ArrayList<>();
    for (int r = 1; r <= 64; r++) {
      tags.add(new Authenticator.Tag(r, tag(r)));
    }
    assertThat(new Authenticator(tags).tags()).hasSize(64);
    tags.add(new Authenticator.Tag(65, tag(65)));
    assertThatThrownBy(() -> new Authenticator(tags)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 65");
    assertThatThrownBy(() -> new Authenticator(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Authenticator.Tag(1, new byte[15]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 15");
    assertThatThrownBy(() -> new Authenticator.Tag(1, new byte[17]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 17");
  }

  @Test
  void aTagCannotBeAlteredThroughTheAuthenticator() {
    byte[] original = tag(1);
    Authenticator a = new Authenticator(List.of(new Authenticator.Tag(1, original)));
    original[0] ^= 1;
    a.tagFor(1)[1] ^= 1;
    a.tags().get(0).tag()[2] ^= 1;
    assertThat(a.tagFor(1)).isEqualTo(tag(1));
  }
}
