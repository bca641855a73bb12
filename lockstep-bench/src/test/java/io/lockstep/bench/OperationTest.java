package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

class OperationTest {

  @Property
  void aKindWhoseShareIsZeroIsNeverPicked(
      @ForAll @DoubleRange(min = 0, max = 1) double w,
      @ForAll @DoubleRange(min = 0, max = 1) double r,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double u) {
    Assume.that(w + r <= 1.0);
    Workload workload = new Workload(1, Duration.ofSeconds(1), Duration.ZERO, w, r,
        Math.max(0.0, 1.0 - w - r), 1, 1);

    Operation picked = Operation.pick(workload, u);

    double share = switch (picked) {
      case WRITE -> workload.writeFraction();
      case READ -> workload.readFraction();
      case CAS -> workload.casFraction();
    };
    assertThat(share).isPositive();
  }

  @Property
  void drawsBelowTheWriteShareAreWrites(
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double u) {
    Workload workload = new Workload(1, Duration.ofSeconds(1), Duration.ZERO, 0.6, 0.3, 0.1, 1, 1);

    Operation expected = u < 0.6 ? Operation.WRITE : u < 0.9 ? Operation.READ : Operation.CAS;

    assertThat(Operation.pick(workload, u)).isEqualTo(expected);
  }
}
