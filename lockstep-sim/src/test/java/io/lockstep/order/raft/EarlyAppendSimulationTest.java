package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.DiskModel;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator carries out parallel leader appends (dissertation §10.2.1) as the server does, and
 * its checkers catch the bug the rule exists for: a leader that sends AppendEntries before its own
 * fsync but still counts its own unsynced copy toward a commit acknowledges writes that a crash in
 * the middle of that fsync can lose (an acknowledgement that precedes the fsync lost acknowledged
 * writes in real systems).
 */
class EarlyAppendSimulationTest {
  /**
   * Mostly crashes (half of them strike in the middle of an fsync), and fsyncs with a long tail,
   * so that a leader's own fsync often outlasts a follower's fsync and round trip.
   */
  private static final SimOptions OPTIONS = SimOptions.defaults().withFaultPhaseMillis(6_000)
      .withFaults(new FaultRates(200, 600, 8, 2, 1, 0, 0, 0, 0, 0.3, 0.0, false))
      .withDisk(new DiskModel(200, 3_000, true));

  /** Textbook Raft (counts itself at once) whose AppendEntries nonetheless leave early. */
  private static final class EarlyWithoutPersistedRule extends ForwardingCoordination {
    EarlyWithoutPersistedRule(Raft inner) {
      super(inner);
    }

    @Override
    public boolean mayLeaveBeforeDurable(ProtocolMessage message) {
      return message instanceof RaftMessage.AppendEntries
          || message instanceof RaftMessage.Heartbeat;
    }
  }

  private static List<String> safetyFailures(CoordinationFactory factory, long from, long to,
      boolean stopAtFirst) {
    List<String> failures = new ArrayList<>();
    for (long seed = from; seed <= to && !(stopAtFirst && !failures.isEmpty()); seed++) {
      SimResult result = Simulation.run(OPTIONS, seed, factory);
      if (!result.ok() && (result.failure().startsWith("linearizability:")
          || result.failure().startsWith("committed entry changed:"))) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void leaderCountingItsOwnUnsyncedCopyIsCaughtWhenItsAppendEntriesLeaveEarly() {
    CoordinationFactory broken = (id, members, recovered, seed) -> new EarlyWithoutPersistedRule(
        new Raft(RaftConfig.defaults(id, members), recovered, seed));
    // Rare by nature (the leader must crash inside an fsync that outlasts a follower's fsync and
    // round trip, and the other follower must win the next election): seed 113 of these options
    // caught it when this test was written; since timing changes, the first catch above seed
    // 100 is seed 440, and the search from seed 1 took about 100 s on a loaded machine. So it
    // starts a little before the seed last measured and stops at the first catch; a change of
    // timing that moves the catch leaves it 600 seeds to find another.
    List<String> caught = safetyFailures(broken, 431, 1030, true);
    System.out.println("early appends without the persisted rule: " + caught);
    assertThat(caught).isNotEmpty();
  }

  @Test
  void theServersConfigurationSurvivesTheSameFaults() {
    assertThat(safetyFailures(Simulation.raft(), 1, 40, false)).isEmpty();
  }
}
