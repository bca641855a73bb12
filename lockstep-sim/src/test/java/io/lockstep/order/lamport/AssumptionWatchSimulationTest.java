package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.NetworkModel;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import org.junit.jupiter.api.Test;

/**
 * A run whose delays break the configured bound is reported, not silently passed: with every
 * message slower than the start timeout (3 s, the silence allowed before anything was heard
 * from a replica; after that, steady traffic keeps arriving within the failure timeout),
 * replicas declare each other failed while messages are still on the way. A replica can notice only when the late message arrives, so it may have
 * misordered already (then the digest or history checkers report it first); when it notices
 * first, the run fails naming the broken assumption.
 */
class AssumptionWatchSimulationTest {
  @Test
  void delaysBeyondTheFailureTimeoutAreReportedAsABrokenAssumption() {
    SimOptions slow = ClassicSchemes.options(1)
        .withNetwork(new NetworkModel(3_400_000, 1_000, 0.0, 0.0));
    int namedTheAssumption = 0;
    for (long seed = 1; seed <= 10; seed++) {
      SimResult result = Simulation.run(slow, seed, ClassicSchemes.logicalClock());
      assertThat(result.ok()).as("seed %d", seed).isFalse();
      if (result.failure().startsWith("assumption: replica")) {
        assertThat(result.failure()).contains("was declared failed");
        namedTheAssumption++;
      }
    }
    assertThat(namedTheAssumption).isPositive();
  }
}
