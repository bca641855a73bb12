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
 * The agreed-time invariant has teeth: Raft as it stamped time before agreed time was bounded
 * (the leader's own wall clock, never decreasing) is caught as soon as a replica whose clock
 * went an hour wrong leads, while bounded Raft passes the same seeds. Lives in Raft's package
 * to reach the package-private bug knob.
 */
class LeaderClockSimulationTest {
  /** Clock faults and crashes only (crashes move leadership around), 4 s of faults. */
  private static final SimOptions OPTIONS = SimOptions.defaults()
      .withFaults(new FaultRates(200, 1_000, 1, 0, 0, 0, 0, 3, 0, 0.0, 0.0, false))
      .withFaultPhaseMillis(4_000);

  private static CoordinationFactory raft(Raft.Bug bug) {
    return (id, members, recovered, seed) -> new Raft(RaftConfig.defaults(id, members)
        .withParallelLeaderAppend(true), recovered, seed, bug);
  }

  private static List<String> failures(Raft.Bug bug, long seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = Simulation.run(OPTIONS, seed, raft(bug));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void stampingTheLeadersOwnClockIsCaughtByTheAgreedTimeInvariant() {
    List<String> failures = failures(Raft.Bug.TIME_FROM_LEADER_CLOCK, 10);
    assertThat(failures).isNotEmpty()
        .allMatch(f -> f.contains("agreed time: leader") && f.contains("above the correct"));
  }

  @Test
  void boundedAgreedTimePassesTheSameSeeds() {
    assertThat(failures(Raft.Bug.NONE, 10)).isEmpty();
  }
}
