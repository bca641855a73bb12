package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Whole-system safety and liveness of the Raft cluster under random faults (X7): crashes and
 * restarts, partitions of every shape, message loss, duplication and delay, clock jumps and
 * pauses. Every history must be linearizable, every protocol invariant must hold, and every
 * liveness phase must complete.
 */
class RaftSimulationTest {
  /** Runs seeds {@code from..to} on two threads and returns the failures, one line each. */
  static List<String> failures(SimOptions options, long from, long to)
      throws InterruptedException, ExecutionException {
    return failures(options, from, to, Simulation.raft());
  }

  /** As above, with the protocol {@code factory} builds. */
  static List<String> failures(SimOptions options, long from, long to,
      CoordinationFactory factory) throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<SimResult>> runs = new ArrayList<>();
      for (long seed = from; seed <= to; seed++) {
        long s = seed;
        runs.add(pool.submit(() -> Simulation.run(options, s, factory)));
      }
      List<String> failures = new ArrayList<>();
      for (Future<SimResult> run : runs) {
        SimResult result = run.get();
        assertThat(result.ops()).isPositive();
        if (!result.ok()) {
          failures.add("seed " + result.seed() + ": " + result.failure());
        }
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void threeReplicasStayLinearizableAndLiveUnderRandomFaults() throws Exception {
    assertThat(failures(SimOptions.defaults(), 1, 160)).isEmpty();
  }

  @Test
  void raftWithSerialLeaderAppendsStaysLinearizableAndLiveUnderRandomFaults() throws Exception {
    assertThat(failures(SimOptions.defaults(), 4001, 4040, Simulation.raftSerialAppend()))
        .isEmpty();
  }

  @Test
  void fiveReplicasStayLinearizableAndLiveUnderRandomFaults() throws Exception {
    assertThat(failures(SimOptions.defaults().withReplicas(5), 1001, 1040)).isEmpty();
  }

  @Test
  void synchronizedClocksWithEveryFaultStayLinearizable() throws Exception {
    SimOptions options = SimOptions.defaults()
        .withClocks(ClockModel.synchronizedWithin(5))
        .withFaultPhaseMillis(5_000);
    assertThat(failures(options, 2001, 2010)).isEmpty();
  }

  @Test
  void crashingMoreThanTReplicasCostsAvailabilityButNeverSafety() throws Exception {
    SimOptions options = SimOptions.defaults()
        .withFaults(FaultRates.standard().withCrashBeyondT(true))
        .withFaultPhaseMillis(5_000);
    assertThat(failures(options, 3001, 3010)).isEmpty();
  }
}
