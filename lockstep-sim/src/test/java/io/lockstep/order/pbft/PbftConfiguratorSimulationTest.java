package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * PBFT's own configurator in the simulator: four replicas (t = 1) and three spares; three
 * members fail for good one after another (the primary as often as any), each once the last
 * replacement settled, and the replicas' configurator replaces each with a spare through an
 * ordered {@code SetReplicas}, without an operator, under the simulator's other faults
 * (partitions, loss, crashes and restarts, clock jumps, pauses). The cluster outlives more failures
 * than t; the simulator's checkers (histories linearizable, state digests agree, liveness after
 * healing with every failed member replaced) must hold on every seed. More seeds with
 * {@code -Dlockstep.pbft.configurator.seeds=N}.
 */
class PbftConfiguratorSimulationTest {
  private static final int SEEDS = Integer.getInteger("lockstep.pbft.configurator.seeds", 16);
  private static final int SPARES = 3;
  private static final int FAILURES = 3;
  private static final long BOUND_MILLIS = 1_000;

  /**
   * Every other fault lasts 300 ms on average (PBFT's default options: 1 s), so that it is
   * mostly the failed members that stay silent past the bound, as in Raft's sequential run.
   */
  static SimOptions options() {
    return PbftSimulation.configuratorOptions(SPARES, FAILURES, 200, BOUND_MILLIS)
        .withFaults(new FaultRates(400, 300, 2, 4, 2, 2, 1, 1, 1, 0, 0.3, 0.2, false))
        .withFaultPhaseMillis(10_000).withLivenessOpsPerClient(2);
  }

  /** The replicas sign with Ed25519 when {@code ed25519}, otherwise with MacSigners. */
  static CoordinationFactory factory(boolean ed25519) {
    return PbftSimulation.configuratorFactory(List.of(4, 5, 6), BOUND_MILLIS, ed25519);
  }

  /**
   * Seed 1 signs with real Ed25519, so the production signer stays in the loop; the others with
   * {@code MacSigners} (64-byte HMACs, the same checks), because Ed25519 took most of the CPU.
   */
  @Test
  void sequentialFailuresReplacedFromASparePoolOutliveMoreThanTFailures() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<SimResult>> runs = new ArrayList<>();
      List<Long> seeds = new ArrayList<>();
      for (long seed = 1; seed <= SEEDS; seed++) {
        seeds.add(seed);
      }
      // Seed 49 lost liveness after healing: member 3 failed after its commits counted in
      // quorums, one live replica that missed them moved alone into later views, and the two
      // others had nothing pending. It passes once a lagging replica executes what t+1 members
      // report executed (NormalCase.onFill); it fails with that switched off.
      // Seed 33 replaced only two members: the primary failed at 1.9 s and the survivors'
      // view changes chased each other (one replica moved alone, the others a view behind it)
      // until after healing; the new-view time-out now waits for a quorum of view changes.
      // Seed 51 replaced only one member: member 1 failed 20 ms after boot, before anyone heard
      // it, and a member never heard was given the 30 s grace real process starts need, past
      // the run's end. The simulator now passes its own grace (its replicas boot together).
      seeds.add(33L);
      seeds.add(49L);
      seeds.add(51L);
      CoordinationFactory signed = factory(true);
      CoordinationFactory macs = factory(false);
      for (long s : seeds) {
        runs.add(pool.submit(() -> Simulation.run(options(), s, s == 1 ? signed : macs)));
      }
      List<String> failures = new ArrayList<>();
      for (Future<SimResult> run : runs) {
        SimResult result = run.get();
        if (!result.ok()) {
          failures.add("seed " + result.seed() + ": " + result.failure());
        } else if (result.replaced() < FAILURES) {
          failures.add("seed " + result.seed() + ": only " + result.replaced() + " replaced");
        }
      }
      assertThat(failures).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
