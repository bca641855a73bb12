package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.stamped.StampedOrder;
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
 * liveness, for the combined test, test I alone and test II alone. Each also requires that most
 * seeds ran the fail-stop path to its end, a replica declaring t others failed (every seed did
 * when last measured), so a change to the fault schedule cannot leave the crashes untested.
 */
class RealTimeClockSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  /** Seeds of the current test run so far, and those in which a replica declared t failed. */
  private int seedsRun;
  private int seedsWithTDeclaredFailed;

  private List<String> failures(SimOptions options, RealTimeClock.Test test, int seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      List<StampedOrder> built = new ArrayList<>();
      SimResult result = Simulation.run(options, seed, ClassicSchemes.realTime(test, built::add));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      seedsRun++;
      if (built.stream().anyMatch(o -> o.failedReplicas().size() == options.t())) {
        seedsWithTDeclaredFailed++;
      }
    }
    return failures;
  }

  private void assertMostSeedsLostT() {
    assertThat(seedsWithTDeclaredFailed).as("seeds in which a replica declared t others failed")
        .isGreaterThanOrEqualTo(seedsRun / 2).isPositive();
  }

  @Test
  void combinedTestTwoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), RealTimeClock.Test.COMBINED, SEEDS)).isEmpty();
    assertMostSeedsLostT();
  }

  @Test
  void testIAloneThreeReplicasTwoCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(2), RealTimeClock.Test.I, SEEDS / 4)).isEmpty();
    assertMostSeedsLostT();
  }

  /**
   * Test II alone has no Δ to fall back on: a request waits for a larger uid from every replica,
   * so a crashed replica holds every request up until it is detected failed.
   */
  @Test
  void testIIAloneTwoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), RealTimeClock.Test.II, SEEDS)).isEmpty();
    assertMostSeedsLostT();
  }
}
