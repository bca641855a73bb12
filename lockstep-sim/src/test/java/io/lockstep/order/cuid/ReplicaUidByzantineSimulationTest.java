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
   * Seeds of the main run whose replicas sign with real Ed25519, so the production signer stays
   * in the loop: one per lie (seed s's liar lies as {@code lies[s mod n]}, so seeds 1 to n
   * cover every lie). The other runs keep their first seed on Ed25519 ({@link #SIGNED_SEEDS});
   * every other seed signs with {@code MacSigners}, the same checks at about a fiftieth of the
   * cost (a profile of this class had Ed25519 at nine tenths of its CPU while a tenth of its
   * seeds used it), which is what lets these seeds fit the default test run.
   */
  static final int ED25519_SEEDS = UidLie.values().length;
  /** Seeds on Ed25519 in the other runs (not the negative test). */
  static final int SIGNED_SEEDS = 1;

  static List<String> failures(SimOptions options, int seeds, int ed25519Seeds,
      UnaryOperator<ByzantineConfig> tune, UidLie... lies) {
    return failures(options, seeds, ed25519Seeds, tune, false, lies);
  }

  static List<String> failures(SimOptions options, int seeds, int ed25519Seeds,
      UnaryOperator<ByzantineConfig> tune, boolean handToOne, UidLie... lies) {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = ByzantineUidSimulation.run(options, seed, tune, seed <= ed25519Seeds,
          handToOne, lies);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return failures;
  }

  @Test
  void threeReplicasOneLiarOfEachKindSeedsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(1), SEEDS, ED25519_SEEDS, c -> c,
        UidLie.values())).isEmpty();
  }

  @Test
  void fiveReplicasTwoLiarsSeedsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(2), SEEDS / 10, SIGNED_SEEDS, c -> c,
        UidLie.values())).isEmpty();
  }

  /**
   * The second transmitter mode: each client signs its request and hands it to ONE replica,
   * resending through the next one when no answer comes; the liars lose or alter what they are
   * handed (or lie otherwise). A forged or altered request must never run, and every client
   * must finish through its resends. Client signatures are what this is about, so seed 1 signs
   * with Ed25519, clients and replicas: its liar alters the requests it is handed, which the
   * client's real signature must catch (the other seeds' signatures are MacSigners').
   */
  @Test
  void clientsHandingEachRequestToOneReplicaThroughLiarsAreLinearizableAndAgree() {
    assertThat(failures(ByzantineUidSimulation.options(1), SEEDS / 10, SIGNED_SEEDS, c -> c,
        true, UidLie.DROPS_HANDED, UidLie.ALTERS_HANDED, UidLie.FORGED_REQUESTS, UidLie.SILENT))
        .isEmpty();
    assertThat(failures(ByzantineUidSimulation.options(2), SEEDS / 40, SIGNED_SEEDS, c -> c, true,
        UidLie.DROPS_HANDED, UidLie.ALTERS_HANDED)).isEmpty();
  }

  /** About the exclusion rule, not signatures: every seed signs with MacSigners. */
  @Test
  void exclusionAfterOneReportIsCaught() {
    List<String> failures = failures(ByzantineUidSimulation.options(1), 3, 0,
        ByzantineConfig::excludingAfterOneReport, UidLie.FALSE_TIMEOUTS);
    assertThat(failures).hasSize(3);
    assertThat(failures).allSatisfy(f -> assertThat(f).contains("liveness"));
  }
}
