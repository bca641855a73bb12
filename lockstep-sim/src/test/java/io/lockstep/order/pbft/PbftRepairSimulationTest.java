package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ClockModel;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol-aware recovery in the PBFT simulation: disk faults (bit flips in the log, the
 * snapshot or the newest hard state, lost writes, EIO, full disks, wiped directories) on top of
 * every other fault; a damaged replica restarts without voting, learns a proven checkpoint and
 * its peers' views, and votes again. Every checker must hold, and a variant that votes while it
 * repairs is caught.
 */
class PbftRepairSimulationTest {
  @TempDir Path dir;

  /** Four replicas (t = 1), PbftSimulation's faults plus frequent disk faults. */
  private static SimOptions withDiskFaults() {
    return PbftSimulation.options()
        .withFaults(new FaultRates(400, 1_000, 2, 4, 2, 2, 1, 1, 1, 6, 0.3, 0.2, false));
  }

  private List<String> failures(SimOptions options, long from, long to,
      CoordinationFactory factory, StringBuilder traces) throws Exception {
    List<String> failures = new ArrayList<>();
    for (long seed = from; seed <= to; seed++) {
      Path trace = dir.resolve(seed + ".trace");
      SimResult result = Simulation.run(options.withTraceFile(trace), seed, factory);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      if (traces != null) {
        traces.append(Files.readString(trace));
      }
      Files.delete(trace);
    }
    return failures;
  }

  /**
   * The simulator's default options (three replicas, so t = 0 and a quorum of two, and clients
   * that wait for three identical replies; disk faults among every other fault) with right wall
   * clocks: a wall clock an hour wrong makes a backup refuse its primary's agreed times, a fault
   * of its own that t = 0 cannot absorb. Seeds 2 and 5 are those where damaged storage once kept
   * a replica from starting. At seed 17 a replica loses the commit that completed a quorum of
   * two and repairs; the third replica then cannot gather a commit quorum for that sequence
   * number (the repairing one may not vote there again) and, before a lagging replica could
   * execute a batch that t+1 replicas report executed, the clients, which need its reply,
   * stopped before the next checkpoint would have brought the state.
   */
  @Test
  void theDefaultOptionsWithDiskDamageKeepEveryCheckerAtSeedsTwoFiveAndSeventeen()
      throws Exception {
    SimOptions options = SimOptions.defaults()
        .withClocks(ClockModel.unsynchronized().withWrongClockMillis(0));
    StringBuilder traces = new StringBuilder();
    for (long seed : new long[] {2, 5, 17}) {
      assertThat(failures(options, seed, seed, PbftSimulation.factory(), traces)).isEmpty();
    }
    assertThat(traces.toString()).contains("repair-start ");
  }

  /**
   * Seed 1044 of the four-replica options: replica 1's commits counted in the quorums of a
   * few sequence numbers before its snapshot was damaged; replica 3, partitioned away then,
   * never prepared them and moved alone into later views; the other two have nothing pending
   * to time out on. Only replicas 0 and 2 still vote in their view, so those sequence numbers
   * never commit again; replicas 1 and 3 execute them because both 0 and 2 (t+1) report them
   * executed, and the client's third reply comes.
   */
  @Test
  void aRepairingReplicaAndALoneLaggardExecuteWhatTPlusOneReportExecuted() throws Exception {
    StringBuilder traces = new StringBuilder();
    assertThat(failures(withDiskFaults(), 1044, 1044, PbftSimulation.factory(), traces))
        .isEmpty();
    assertThat(traces.toString()).contains("repair-start ");
  }

  @Test
  void fourReplicasWithFrequentDiskFaultsRepairAndKeepEveryChecker() throws Exception {
    StringBuilder traces = new StringBuilder();
    assertThat(failures(withDiskFaults(), 101, 130, PbftSimulation.factory(), traces)).isEmpty();
    String all = traces.toString();
    assertThat(all).contains(" bitflip-log\n").contains(" bitflip-hardstate\n");
    assertThat(all.split(" repaired ", -1).length - 1).as("replicas that finished repairing")
        .isGreaterThanOrEqualTo(5);
  }

  /**
   * A sweep of the four-replica options with frequent disk faults over the seeds
   * {@code -Dlockstep.pbft.repair.seeds=FROM-TO} names (1000-1099 is the sweep the
   * documentation reports). Opt-in: a hundred seeds take minutes of CPU.
   */
  @Test
  @EnabledIfSystemProperty(named = "lockstep.pbft.repair.seeds", matches = "\\d+-\\d+")
  void aSweepOfSeedsWithFrequentDiskFaultsKeepsEveryChecker() throws Exception {
    String[] range = System.getProperty("lockstep.pbft.repair.seeds").split("-");
    assertThat(failures(withDiskFaults(), Long.parseLong(range[0]), Long.parseLong(range[1]),
        PbftSimulation.factory(), null)).isEmpty();
  }

  /**
   * A replica that votes while it repairs (the test-only {@link Pbft.Bug#VOTE_WHILE_REPAIRING})
   * is caught: the simulator's monitor fails the run at the first vote a repairing replica
   * sends.
   */
  @Test
  void aReplicaThatVotesBeforeItIsRepairedIsCaught() throws Exception {
    CoordinationFactory broken = PbftSimulation.factory((config, throughput, reader, recovered)
        -> Pbft.recover(config, throughput, reader, recovered, Pbft.Bug.VOTE_WHILE_REPAIRING));
    List<String> caught = new ArrayList<>();
    for (long seed = 101; seed <= 130 && caught.isEmpty(); seed++) {
      caught.addAll(failures(withDiskFaults(), seed, seed, broken, null));
    }
    assertThat(caught).singleElement().asString().contains("is repairing damaged storage but");
  }
}
