package io.lockstep.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** `lockstep local` sizes each replica's heap from the machine, and --heap overrides it. */
class ReplicaHeapTest {
  private static final long GIB = 1L << 30;

  @Test
  void theDefaultIsAnEqualShareOfHalfTheMachineWithinBounds() {
    assertThat(ReplicaHeap.defaultFor(3, 24 * GIB).text()).isEqualTo("4g");
    assertThat(ReplicaHeap.defaultFor(3, 12 * GIB).mib()).isEqualTo(2048);
    assertThat(ReplicaHeap.defaultFor(5, 2 * GIB).mib()).isEqualTo(ReplicaHeap.MIN_DEFAULT_MIB);
    assertThat(ReplicaHeap.defaultFor(1, 256 * GIB).mib()).isEqualTo(ReplicaHeap.MAX_DEFAULT_MIB);
  }

  @Test
  void aChosenHeapBecomesTheReplicasXmx() {
    assertThat(ReplicaHeap.parse("768m").jvmOptions()).contains("-Xmx768m");
    assertThat(ReplicaHeap.parse("8G").jvmOptions()).contains("-Xmx8g");
    assertThat(ReplicaHeap.parse("2048m").text()).isEqualTo("2g");
  }

  @Test
  void aMalformedOrTinyHeapIsRefusedWithTheFormNamed() {
    for (String bad : new String[] {"", "4", "4gb", "-1g", "lots"}) {
      assertThatThrownBy(() -> ReplicaHeap.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("e.g. 768m, 4g");
    }
    assertThatThrownBy(() -> ReplicaHeap.parse("16m")).hasMessageContaining("below the 64m");
  }
}
