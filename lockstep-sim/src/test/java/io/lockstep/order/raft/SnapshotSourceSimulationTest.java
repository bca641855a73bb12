package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots from a replica other than the leader ({@link SnapshotFetch}) under the simulator's
 * default faults: the path is taken (a follower installs a source's snapshot, and some fall
 * back to the leader), and every seed stays linearizable and live.
 */
class SnapshotSourceSimulationTest {
  private static final SimOptions OPTIONS = SimOptions.defaults();

  /** The default simulated Raft, keeping every replica it builds so the test can count. */
  private static CoordinationFactory keeping(List<Raft> built) {
    CoordinationFactory raft = Simulation.raft();
    return (id, members, recovered, seed) -> {
      Raft replica = (Raft) raft.create(id, members, recovered, seed);
      built.add(replica);
      return replica;
    };
  }

  @Test
  void followersInstallSnapshotsFromSourcesInTheDefaultSeedsAndStayCorrect() {
    List<String> failures = new ArrayList<>();
    long fromSources = 0;
    long fallbacks = 0;
    for (long seed = 1; seed <= 30; seed++) {
      List<Raft> built = new ArrayList<>();
      SimResult result = Simulation.run(OPTIONS, seed, keeping(built));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      fromSources += built.stream().mapToLong(r -> r.fetch().installedFromSources()).sum();
      fallbacks += built.stream().mapToLong(r -> r.fetch().fallbacks()).sum();
    }
    System.out.println("from sources: " + fromSources + ", fallbacks: " + fallbacks);
    assertThat(failures).isEmpty();
    assertThat(fromSources).as("snapshots installed from a source (fallbacks: %d)", fallbacks)
        .isPositive();
  }
}
