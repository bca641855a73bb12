package io.lockstep.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The writer's buffer: sized up front or grown, the bytes handed out never change. */
class WireWriterTest {
  @Test
  void theInitialCapacityChangesNothingButTheBuffer() {
    for (int capacity : new int[] {1, 7, 13, 64, 4096}) {
      byte[] bytes = new WireWriter(capacity).writeLong(0x0102030405060708L).writeInt(9)
          .writeBytes(new byte[] {1, 2, 3}).writeString("é").toByteArray();
      assertThat(bytes).as("capacity " + capacity)
          .isEqualTo(new WireWriter().writeLong(0x0102030405060708L).writeInt(9)
              .writeBytes(new byte[] {1, 2, 3}).writeString("é").toByteArray());
      assertThat(new WireReader(bytes, "test").readLong()).isEqualTo(0x0102030405060708L);
    }
  }

  /** An exactly full buffer is handed over, not copied; writing on must not change it. */
  @Test
  void bytesHandedOverStayAsTheyWereWhenTheWriterGoesOn() {
    WireWriter out = new WireWriter(8).writeLong(42);
    byte[] first = out.toByteArray();
    out.writeLong(-1).writeByte(7);
    assertThat(first).hasSize(8).isEqualTo(new WireWriter().writeLong(42).toByteArray());
    assertThat(out.toByteArray()).hasSize(17);
    assertThat(out.toByteArray()).isNotSameAs(first);
  }

  @Test
  void aCapacityBelowOneIsRefused() {
    assertThatThrownBy(() -> new WireWriter(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
