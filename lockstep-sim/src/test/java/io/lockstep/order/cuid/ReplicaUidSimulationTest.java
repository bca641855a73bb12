package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Order by replica-generated identifiers (§3.2.3) under the simulator: t+1 fail-stop replicas
 * whose crashes last, duplicated and reordered messages; linearizable histories, agreeing
 * digests and liveness.
 */
class ReplicaUidSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  static List<String> failures(SimOptions options, int seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = Simulation.run(options, seed, ClassicSchemes.replicaUid(true));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void twoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), SEEDS)).isEmpty();
  }

  @Test
  void threeReplicasTwoCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(2), SEEDS / 4)).isEmpty();
  }
}
