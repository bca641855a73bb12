package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ByzantineUidSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The Byzantine replica-uid order (§3.2.3) under the simulator: t lying replicas of 2t+1
 * (equivocating transmitter, bad signatures, silence, extreme candidate uids, false timeout
 * reports), duplicated messages; the correct replicas' histories are linearizable, their state
 * digests agree and every client finishes. Exclusion after one report instead of t+1 lets one
 * liar exclude every correct replica, and the checker catches what follows.
 */
class ReplicaUidByzantineSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);

  /**
   * Seeds whose replicas sign with real Ed25519 (so the production signer stays in the loop);
   * the rest sign with {@code MacSigners}, the same checks at a hundredth of the cost, which is
   * what lets 200 seeds fit the default test run.
   */
  static final int ED25519_SEEDS = 10;

  static List<String> failures(SimOptions options, int seeds, UnaryOperator<ByzantineConfig> tune,
      UidLie... lies) {
    return failures(options, seeds, tune, false, lies);
  }

  static List<String> failures(SimOptions options, int seeds, UnaryOperator<ByzantineConfig> tune,
      boolean handToOne, UidLie... lies) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = ByzantineUidSimulation.run(options, seed, tune, seed <= ED25519_SEEDS,
          handToOne, lies);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void threeReplicasOneLiarOfEachKindSeedsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(1), SEEDS, c -> c, UidLie.values()))
        .isEmpty();
  }

  @Test
  void fiveReplicasTwoLiarsSeedsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(2), SEEDS / 10, c -> c, UidLie.values()))
        .isEmpty();
  }

  /**
   * The second transmitter mode: each client signs its request and hands it to ONE replica,
   * resending through the next one when no answer comes; the liars lose or alter what they are
   * handed (or lie otherwise). A forged or altered request must never run, and every client
   * must finish through its resends.
   */
  @Test
  void clientsHandingEachRequestToOneReplicaThroughLiarsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(1), SEEDS / 10, c -> c, true,
        UidLie.DROPS_HANDED, UidLie.ALTERS_HANDED, UidLie.FORGED_REQUESTS, UidLie.SILENT))
        .isEmpty();
    assertThat(failures(ByzantineUidSimulation.options(2), SEEDS / 40, c -> c, true,
        UidLie.DROPS_HANDED, UidLie.ALTERS_HANDED)).isEmpty();
  }

  @Test
  void exclusionAfterOneReportIsCaught() {
    List<String> failures = failures(ByzantineUidSimulation.options(1), 3,
        ByzantineConfig::excludingAfterOneReport, UidLie.FALSE_TIMEOUTS);
    assertThat(failures).hasSize(3);
    assertThat(failures).allSatisfy(f -> assertThat(f).contains("liveness"));
  }
}
