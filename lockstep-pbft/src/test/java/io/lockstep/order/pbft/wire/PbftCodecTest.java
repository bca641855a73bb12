package io.lockstep.order.pbft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.pbft.Batch;
import io.lockstep.order.pbft.Digest;
import io.lockstep.order.pbft.PbftMessage;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The peer codec: every message round-trips; malformed bytes throw and are never accepted. */
class PbftCodecTest {
  private static final Digest D = Digest.of(new byte[] {1, 2, 3});
  private static final Request R = new Request(ClientId.of("c1"), 7, Request.Kind.COMMAND,
      new byte[] {9, 8}, ClientId.of("c1-copy"));
  private static final Batch B = new Batch(1_700_000_000_000L,
      List.of(R, Request.command(ClientId.of("c2"), 1, new byte[0])));
  private static final PbftMessage.CheckpointVote VOTE =
      new PbftMessage.CheckpointVote(16, D, 99, 2, new byte[64]);
  private static final PbftMessage.ViewChange VC = new PbftMessage.ViewChange(3, 1, 16,
      List.of(VOTE, VOTE, VOTE), List.of(new PbftMessage.Prepared(17, 2, B.digest(), B)),
      List.of(new PbftMessage.PrePrepared(17, 2, B.digest())), new byte[64]);

  static List<PbftMessage> samples() {
    return List.of(new PbftMessage.PrePrepare(0, 1, B), new PbftMessage.Prepare(4, 2, D),
        new PbftMessage.Commit(4, 2, D), new PbftMessage.Fill(3, Batch.NULL), VOTE, VC,
        new PbftMessage.NewView(3, List.of(VC, VC, VC),
            List.of(new PbftMessage.PrePrepare(3, 17, B), new PbftMessage.PrePrepare(3, 18,
                Batch.NULL)), new byte[64]),
        new PbftMessage.Status(5, true, 40, 32),
        new PbftMessage.Status(5, false, 40, 32, java.util.Map.of(1, 0L, 3, 2_500L)),
        new PbftMessage.Forward(R),
        new PbftMessage.FetchState(32, 65536),
        new PbftMessage.StateChunk(32, 10, 20, new byte[] {1, 2, 3}),
        new PbftMessage.IncarnationProbe(-0x1ca7L), new PbftMessage.IncarnationAnswer(0),
        new PbftMessage.IncarnationAnswer(0x5eedL), new PbftMessage.Suspect(0),
        new PbftMessage.Suspect(7));
  }

  @Test
  void everyMessageKindRoundTrips() {
    for (PbftMessage message : samples()) {
      byte[] bytes = PbftCodec.INSTANCE.encode(message);
      PbftMessage back = (PbftMessage) PbftCodec.INSTANCE.decode(bytes);
      // Records with arrays compare by identity, so compare the re-encoding.
      assertThat(PbftCodec.INSTANCE.encode(back)).as(message.toString()).isEqualTo(bytes);
      assertThat(back.getClass()).isEqualTo(message.getClass());
    }
  }

  @Test
  void everyTruncationIsRejected() {
    for (PbftMessage message : samples()) {
      byte[] bytes = PbftCodec.INSTANCE.encode(message);
      for (int length = 0; length < bytes.length; length++) {
        byte[] cut = Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(cut))
            .as(message + " cut to " + length).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void aSilenceReportNamingAReplicaTwiceOrANegativeDurationIsRejected() {
    byte[] one = PbftCodec.INSTANCE.encode(
        new PbftMessage.Status(1, false, 2, 0, java.util.Map.of(3, 7L)));
    // The single entry (i32 replica, i64 millis) is the last 12 bytes: repeat it, count 2.
    byte[] twice = Arrays.copyOf(one, one.length + 12);
    System.arraycopy(one, one.length - 12, twice, one.length, 12);
    twice[one.length - 13] = 2;
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(twice))
        .hasMessageContaining("named twice");
    byte[] negative = one.clone();
    negative[negative.length - 8] = (byte) 0x80;
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(negative))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }

  @Test
  void aSilenceReportOutOfReplicaOrderIsRejectedSoEveryFrameReencodesToItself() {
    byte[] two = PbftCodec.INSTANCE.encode(
        new PbftMessage.Status(1, false, 2, 0, java.util.Map.of(1, 5L, 3, 7L)));
    // The two entries (i32 replica, i64 millis) are the last 24 bytes, replica 1 first: swap them.
    byte[] swapped = two.clone();
    System.arraycopy(two, two.length - 12, swapped, two.length - 24, 12);
    System.arraycopy(two, two.length - 24, swapped, two.length - 12, 12);
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(swapped))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
    assertThat(PbftCodec.INSTANCE.encode(PbftCodec.INSTANCE.decode(two))).isEqualTo(two);
  }

  @Test
  void trailingBytesUnknownVersionsAndTypesAreRejected() {
    byte[] status = PbftCodec.INSTANCE.encode(new PbftMessage.Status(1, false, 2, 0));
    byte[] longer = Arrays.copyOf(status, status.length + 1);
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(longer))
        .hasMessageContaining("trailing");
    byte[] version = status.clone();
    version[0] = 9;
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(version)).hasMessageContaining("version");
    byte[] type = status.clone();
    type[1] = 77;
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(type)).hasMessageContaining("type 77");
  }

  @Test
  void valuesTheRecordsRefuseAreMalformed() {
    // A Prepare for sequence number 0 (sequence numbers start at 1).
    byte[] bytes = PbftCodec.INSTANCE.encode(new PbftMessage.Prepare(1, 1, D));
    bytes[2 + 8 + 7] = 0;
    assertThatThrownBy(() -> PbftCodec.INSTANCE.decode(bytes))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence number");
  }

  @Property(tries = 300)
  void randomBytesNeverDecodeSilentlyWrong(@ForAll("garbage") byte[] bytes) {
    try {
      PbftMessage message = (PbftMessage) PbftCodec.INSTANCE.decode(bytes);
      // Whatever decodes must be exactly what it encodes back to.
      assertThat(PbftCodec.INSTANCE.encode(message)).isEqualTo(bytes);
    } catch (IllegalArgumentException expected) {
      // malformed: dropped by the runtime
    }
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> mutated = Arbitraries.of(samples()).flatMap(m -> {
      byte[] bytes = PbftCodec.INSTANCE.encode(m);
      return Arbitraries.integers().between(0, bytes.length - 1).flatMap(i ->
          Arbitraries.bytes().map(b -> {
            byte[] copy = bytes.clone();
            copy[i] = b;
            return copy;
          }));
    });
    return Arbitraries.oneOf(random, mutated);
  }
}
