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
  void theNeededHeapIsTheStatePlusTheLogPlusAFixedBudgetNotAMultipleOfTheState() {
    // The store's default bound and Raft's default log budget: 256 + 256 + 24 MiB in two thirds.
    assertThat(ReplicaHeap.neededMib(256L << 20, 256L << 20)).isEqualTo(804);
    long small = ReplicaHeap.neededMib(1L << 30, 8L << 20);
    long large = ReplicaHeap.neededMib(2L << 30, 8L << 20);
    assertThat(large - small).as("another GiB of state costs that GiB (and the young"
        + " generation's share), not a second copy").isEqualTo(1536);
    assertThat(ReplicaHeap.neededMib(0, 0)).isEqualTo(36);
    assertThat(ReplicaHeap.neededMib(1, 1)).as("rounded up to whole MiB").isEqualTo(39);
    assertThatThrownBy(() -> ReplicaHeap.neededMib(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDefaultIsRaisedToWhatTheBoundsNeedButNeverLowered() {
    assertThat(ReplicaHeap.defaultFor(5, 2 * GIB, 804).mib()).isEqualTo(804);
    assertThat(ReplicaHeap.defaultFor(3, 24 * GIB, 804).mib()).isEqualTo(4096);
  }

  @Test
  void aChosenHeapBecomesTheReplicasXmx() {
    assertThat(ReplicaHeap.parse("768m").jvmOptions()).contains("-Xmx768m");
    assertThat(ReplicaHeap.parse("8G").jvmOptions()).contains("-Xmx8g");
    assertThat(ReplicaHeap.parse("2048m").text()).isEqualTo("2g");
  }

  /**
   * A young generation of a third of the heap, at most 256 MiB, and an initial heap of at most
   * 768 MiB: never a young generation larger than the default's third, so the old generation
   * keeps the two thirds {@link ReplicaHeap#neededMib} counts on.
   */
  @Test
  void theYoungGenerationAndInitialHeapAreBoundedByTheHeap() {
    assertThat(ReplicaHeap.parse("3g").jvmOptions())
        .containsExactly("-Xms768m", "-Xmx3g", "-Xmn256m", "-XX:+UseSerialGC");
    assertThat(ReplicaHeap.parse("512m").jvmOptions())
        .containsExactly("-Xms512m", "-Xmx512m", "-Xmn170m", "-XX:+UseSerialGC");
    assertThat(ReplicaHeap.parse("96m").jvmOptions())
        .containsExactly("-Xms96m", "-Xmx96m", "-Xmn32m", "-XX:+UseSerialGC");
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
