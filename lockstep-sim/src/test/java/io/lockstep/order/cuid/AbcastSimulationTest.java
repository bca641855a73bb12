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
 * The ABCAST variant of replica-generated identifiers (§3.2.3) under the simulator, in the same
 * conditions as the every-replica variant: t+1 fail-stop replicas whose crashes last (so a
 * coordinator dies with requests it had not decided, and another replica takes over),
 * duplicated and reordered messages; linearizable histories, agreeing digests, no broken
 * assumption and liveness after healing.
 */
class AbcastSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  /** Uids chosen by a coordinator that took over, over every run of this test so far. */
  private long takeovers;

  private List<String> failures(SimOptions options, int seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      List<CandidateOrder> built = new ArrayList<>();
      SimResult result = Simulation.run(options, seed,
          ClassicSchemes.replicaUid(true, UidChoice.ABCAST, built::add));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      takeovers += built.stream().mapToLong(CandidateOrder::takeovers).sum();
    }
    return failures;
  }

  @Test
  void twoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), SEEDS)).isEmpty();
  }

  @Test
  void threeReplicasTwoCrashedSeedsAreLinearizableAndAgreeAndCoordinatorsTakeOver() {
    assertThat(failures(ClassicSchemes.options(2), SEEDS / 4)).isEmpty();
    assertThat(takeovers).as("uids chosen by a coordinator that took over a failed one's")
        .isPositive();
  }
}
