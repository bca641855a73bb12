package io.lockstep.order.cuid;

import static io.lockstep.order.testing.FalseSuspicionScenario.haltsInsteadOfOrderingAlone;
import static io.lockstep.order.testing.FalseSuspicionScenario.rejoinsAndReportsRepaired;
import static io.lockstep.order.testing.FalseSuspicionScenario.stallOne;

import io.lockstep.order.Commuting;
import io.lockstep.order.Coordination;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.testing.Harness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A replica-uid replica declared failed while it runs (paper §2, fail-stop: it stalled past the
 * failure timeout) halts once a peer's broadcast tells it so, and then rejoins in process like a
 * restarted replica (§7.2, {@link CandidateJoin}), for both variants; the scenario is
 * {@link io.lockstep.order.testing.FalseSuspicionScenario}'s.
 */
class CandidateFalseSuspicionTest {
  @ParameterizedTest
  @EnumSource(UidChoice.class)
  void aReplicaThatLearnsItIsSuspectedStopsAnsweringAndSendingInsteadOfOrderingAlone(
      UidChoice choice) {
    Harness<CandidateOrder> h = new Harness<>(2, (id, members) -> new CandidateOrder(
        StampedConfig.defaults(id, members), Recovered.EMPTY, true, choice));
    stallOne(h);
    haltsInsteadOfOrderingAlone(h, CandidateOrder::failedReplicas,
        "replica-uid failure timeout of 300 ms");
  }

  @ParameterizedTest
  @EnumSource(UidChoice.class)
  void theHaltedReplicaRejoinsInProcessAndItsSurvivorsReportIsRepaired(UidChoice choice) {
    Harness<Coordination> h = new Harness<>(2, (id, members) -> CandidateOrder.halting(
        StampedConfig.defaults(id, members), Recovered.EMPTY, choice, Commuting.NOTHING));
    h.tickAll(1, 1);
    stallOne(h);
    rejoinsAndReportsRepaired(h);
  }
}
