package io.lockstep.order.stamped;

import static io.lockstep.order.testing.FalseSuspicionScenario.haltsInsteadOfOrderingAlone;
import static io.lockstep.order.testing.FalseSuspicionScenario.rejoinsAndReportsRepaired;
import static io.lockstep.order.testing.FalseSuspicionScenario.stallOne;

import io.lockstep.order.Coordination;
import io.lockstep.order.Recovered;
import io.lockstep.order.clocks.RealTimeClock;
import io.lockstep.order.lamport.LogicalClock;
import io.lockstep.order.testing.Harness;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stamped-order replica declared failed while it runs (paper §2, fail-stop: it stalled past the
 * failure timeout) halts once a peer's broadcast tells it so, and then rejoins in process like a
 * restarted replica (§7.2), for logical clocks and real-time clocks; the scenario is
 * {@link io.lockstep.order.testing.FalseSuspicionScenario}'s.
 */
class FalseSuspicionTest {
  private static Supplier<UidScheme> scheme(String name) {
    return name.equals("logical-clock") ? LogicalClock::new
        : () -> new RealTimeClock(RealTimeClock.Test.COMBINED, 150);
  }

  @ParameterizedTest
  @ValueSource(strings = {"logical-clock", "real-time"})
  void aReplicaThatLearnsItIsSuspectedStopsAnsweringAndSendingInsteadOfOrderingAlone(
      String name) {
    Harness<StampedOrder> h = new Harness<>(2, (id, members) -> new StampedOrder(
        StampedConfig.defaults(id, members), scheme(name).get(), Recovered.EMPTY));
    stallOne(h);
    haltsInsteadOfOrderingAlone(h, StampedOrder::failedReplicas, "failure timeout of 300 ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"logical-clock", "real-time"})
  void theHaltedReplicaRejoinsInProcessAndItsSurvivorsReportIsRepaired(String name) {
    Harness<Coordination> h = new Harness<>(2, (id, members) -> StampedOrder.halting(
        StampedConfig.defaults(id, members), scheme(name), Recovered.EMPTY));
    stallOne(h);
    rejoinsAndReportsRepaired(h);
  }
}
