package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wipe detection is what keeps a replica whose data directory was deleted (and restarted with
 * no {@code rejoin-empty} file) from losing committed data: a Raft variant that takes every empty
 * start for a first start is caught by the checkers, while the real rule survives the same
 * faults. The fault mix is the disk-heavy one of {@link RepairSimulationTest}; a wipe is one
 * disk fault kind in eleven.
 */
class WipeSimulationTest {
  private static final SimOptions OPTIONS = SimOptions.defaults().withFaultPhaseMillis(6_000)
      .withFaults(new FaultRates(250, 800, 4, 3, 1, 0, 1, 0, 1, 8, 0.3, 0.0, false));

  private static CoordinationFactory variant(Raft.Bug bug) {
    return (id, members, recovered, seed) -> new Raft(RaftConfig.defaults(id, members)
        .withParallelLeaderAppend(true).withCompactionMargin(20), recovered, seed, bug);
  }

  private static List<String> failures(CoordinationFactory factory, int seeds,
      boolean stopAtFirst) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds && !(stopAtFirst && !failures.isEmpty()); seed++) {
      SimResult result = Simulation.run(OPTIONS, seed, factory);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  /** First caught at seed 25 ("committed entry changed") when last measured. */
  @Test
  void replicaThatTakesAWipeForAFirstStartIsCaught() {
    List<String> caught = failures(variant(Raft.Bug.SKIP_WIPE_CHECK), 200, true);
    assertThat(caught).singleElement().asString().containsAnyOf("committed entry changed:",
        "linearizability:", "election safety:", "divergence:");
  }

  @Test
  void askingThePeersSurvivesTheSameFaults() {
    assertThat(failures(variant(Raft.Bug.NONE), 40, false)).isEmpty();
  }
}
