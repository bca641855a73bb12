package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.clocks.ClockBatch;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The batches' request entries on the wire: a batch without signatures is version 1, byte for
 * byte as before signatures existed; a signed one is version 2 and round-trips; what only a
 * faulty transmitter writes is refused.
 */
class CarriedRequestsTest {
  static final Request A = Harness.request("c", "a");
  static final Request B = Harness.request("d", "b");

  @Test
  void aBatchWithoutSignaturesKeepsTheVersionOneBytes() {
    byte[] bytes = new ClockBatch(5, Arrays.asList(A, null)).encode();
    BinaryWriter before = new BinaryWriter(64).writeByte(1).writeLong(5).writeShort(2)
        .writeByte(1).writeRequest(A).writeByte(0);
    assertThat(bytes).isEqualTo(before.toByteArray());
  }

  @Test
  void aSignedBatchIsVersionTwoAndRoundTrips() {
    byte[] sig = new byte[64];
    sig[3] = 7;
    ClockBatch batch = new ClockBatch(5, new CarriedRequests(Arrays.asList(A, null, B),
        Arrays.asList(sig, null, null)));
    byte[] bytes = batch.encode();
    assertThat(bytes[0]).isEqualTo((byte) 2);
    ClockBatch back = ClockBatch.decode(bytes);
    assertThat(back.requests()).containsExactly(A, null, B);
    assertThat(back.carried().signatures().get(0)).isEqualTo(sig);
    assertThat(back.carried().signatures()).containsSubsequence(null, null);
    assertThat(back.encode()).isEqualTo(bytes);
  }

  @Test
  void aSignedEntryInAVersionOneBatchIsRefused() {
    byte[] bytes = new ClockBatch(5, new CarriedRequests(List.of(A), Arrays.asList(
        new byte[64]))).encode();
    bytes[0] = 1;
    assertThatThrownBy(() -> ClockBatch.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("unknown entry 2");
  }

  @Test
  void anOversizedSignatureMakesTheBatchUnreadable() {
    BinaryWriter out = new BinaryWriter(64).writeByte(2).writeLong(5).writeShort(1)
        .writeByte(2).writeRequest(A).writeBytes(new byte[CarriedRequests.MAX_SIGNATURE_BYTES
            + 1]);
    assertThatThrownBy(() -> ClockBatch.decode(out.toByteArray()))
        .isInstanceOf(CodecException.class).hasMessageContaining("signature");
    assertThatThrownBy(() -> new CarriedRequests(List.of(A), Arrays.asList(
        new byte[CarriedRequests.MAX_SIGNATURE_BYTES + 1])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSignatureOnAReadBarrierIsRefused() {
    assertThatThrownBy(() -> new CarriedRequests(Arrays.asList((Request) null),
        Arrays.asList(new byte[64]))).isInstanceOf(IllegalArgumentException.class);
    BinaryWriter out = new BinaryWriter(64).writeByte(2).writeLong(5).writeShort(1)
        .writeByte(3);
    assertThatThrownBy(() -> ClockBatch.decode(out.toByteArray()))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void intakeRefusesOnlySignaturesOfTheWrongLength() {
    assertThat(CarriedRequests.intakeRefusal(null)).isNull();
    assertThat(CarriedRequests.intakeRefusal(new byte[64])).isNull();
    assertThat(CarriedRequests.intakeRefusal(new byte[65])).contains("malformed", "65");
  }

  @Property(tries = 200)
  void randomBytesEitherAreRefusedOrReEncodeToThemselves(
      @ForAll @Size(max = 200) byte[] tail) {
    byte[] bytes = new byte[tail.length + 9];
    bytes[0] = 2;
    System.arraycopy(tail, 0, bytes, 9, tail.length);
    ClockBatch batch;
    try {
      batch = ClockBatch.decode(bytes);
    } catch (CodecException | IllegalArgumentException e) {
      return;
    }
    byte[] again = batch.encode();
    if (batch.carried().anySigned()) {
      assertThat(again).isEqualTo(bytes);
    } else {
      assertThat(Arrays.copyOfRange(again, 1, again.length))
          .isEqualTo(Arrays.copyOfRange(bytes, 1, bytes.length));
    }
  }
}
