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
 * digests and liveness. Each also requires that most seeds ran the fail-stop path to its end, a
 * replica declaring t others failed (every seed of 2 and 3 replicas and 28 of the 30 of 4 did
 * when last measured), so a change to the fault schedule cannot leave the crashes untested.
 */
class ReplicaUidSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  /** Seeds of the current test run so far, and those in which a replica declared t failed. */
  private int seedsRun;
  private int seedsWithTDeclaredFailed;

  private List<String> failures(SimOptions options, int seeds) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      List<CandidateOrder> built = new ArrayList<>();
      SimResult result = Simulation.run(options, seed,
          ClassicSchemes.replicaUid(true, UidChoice.EVERY_REPLICA, built::add));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      seedsRun++;
      if (built.stream().anyMatch(o -> o.failedReplicas().size() == options.t())) {
        seedsWithTDeclaredFailed++;
      }
    }
    return failures;
  }

  private void assertMostSeedsLostT() {
    assertThat(seedsWithTDeclaredFailed).as("seeds in which a replica declared t others failed")
        .isGreaterThanOrEqualTo(seedsRun / 2).isPositive();
  }

  @Test
  void twoReplicasOneCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(1), SEEDS)).isEmpty();
    assertMostSeedsLostT();
  }

  @Test
  void threeReplicasTwoCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(2), SEEDS / 4)).isEmpty();
    assertMostSeedsLostT();
  }

  /**
   * 4 replicas, t = 3: crashes are permanent, so a seed may end with one replica left. Some
   * seeds use 10 clients on one key, where every request conflicts with every other.
   */
  @Test
  void fourReplicasThreeCrashedSeedsAreLinearizableAndAgree() {
    assertThat(failures(ClassicSchemes.options(3), SEEDS / 10)).isEmpty();
    assertThat(failures(ClassicSchemes.options(3).withClients(10).withKeys(1), SEEDS / 20))
        .isEmpty();
    assertMostSeedsLostT();
  }

  /**
   * Seeds 65 of {@code options(3)} and 396 of {@code options(3)} with 10 clients on one key end
   * with three replicas crashed. With the default 10 s liveness bound each reports one operation
   * that never completes, but the order is not what holds it: the surviving replica has declared
   * the three others failed and holds no unprocessed request or read barrier. The operation's
   * client never reached the survivor: after each time-out (400 to 600 ms) the simulated client
   * resends to a replica chosen at random among the other three, two of which are crashed, and
   * in these two seeds its 19 and 23 sends all land on crashed ones (each resend has a 2/3
   * chance to). Given a bound long enough for its random walk to reach the survivor, both seeds
   * pass. The check on the survivor fails if the order leaves a request waiting there, e.g. one
   * not retried for acceptance once the replicas whose candidates it waited for are declared
   * failed.
   */
  @Test
  void threeCrashedOfFourLivenessFailuresAreTheClientsRetryWalk() {
    assertStuckAtTheClient(ClassicSchemes.options(3), 65);
    assertStuckAtTheClient(ClassicSchemes.options(3).withClients(10).withKeys(1), 396);
  }

  private static void assertStuckAtTheClient(SimOptions options, long seed) {
    List<CandidateOrder> orders = new ArrayList<>();
    SimResult result = Simulation.run(options, seed,
        ClassicSchemes.replicaUid(true, UidChoice.EVERY_REPLICA, orders::add));
    assertThat(result.failure()).as("seed " + seed).startsWith("liveness:");
    List<CandidateOrder> survivors = orders.stream()
        .filter(o -> o.failedReplicas().size() == options.replicas() - 1).toList();
    assertThat(survivors).as("seed " + seed + ": one replica declared the others failed")
        .hasSize(1);
    assertThat(survivors.get(0).unordered()).as("seed " + seed + ": waiting at the survivor")
        .isZero();
    SimResult patient = Simulation.run(options.withLivenessBoundMillis(30_000), seed,
        ClassicSchemes.replicaUid(true));
    assertThat(patient.failure()).as("seed " + seed + " with a 30 s bound").isNull();
  }
}
