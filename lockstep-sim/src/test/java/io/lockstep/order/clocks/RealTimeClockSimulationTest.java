package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Order by synchronized real-time clocks (§3.2.2) under the simulator: t+1 fail-stop replicas,
 * clocks within δ = 2 ms, delays of at least 3 ms; linearizable histories, agreeing digests and
 * liveness, for the combined test and for test I alone.
 */
class RealTimeClockSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  static List<String> failures(SimOptions options, RealTimeClock.Test test, int seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = Simulation.run(options, seed, ClassicSchemes.realTime(test));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void combinedTestTwoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), RealTimeClock.Test.COMBINED, SEEDS)).isEmpty();
  }

  @Test
  void testIAloneThreeReplicasTwoCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(2), RealTimeClock.Test.I, SEEDS / 4)).isEmpty();
  }
}
