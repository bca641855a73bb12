package io.lockstep.order.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checkers have teeth for the real-time scheme: Δ in test I (§3.2.2) must bound the time
 * from a request's uid to its arrival at every correct replica, so it covers the message delay
 * as well as the clock skew. With Δ = δ, the skew alone (2 ms, below the 3 ms minimum delay),
 * test I — alone or in the combined test — calls a request stable before a request with a
 * smaller uid from another replica can have arrived; replicas then process in different orders
 * and some seed must fail with a changed committed position, a divergence or a non-linearizable
 * history. The orders run without the simulator's assumption watch, which would otherwise report
 * the late request first: the checkers are what is tested. With Δ = 150 ms (what {@link
 * ClassicSchemes#realTime} uses) the same seeds pass (checked when last measured).
 */
class SkewOnlyDeltaSimulationTest {
  /** δ of {@link ClassicSchemes#options}: the clocks' skew, without the message delay. */
  private static final long SKEW_MILLIS = 2;

  private static CoordinationFactory skewOnlyDelta(RealTimeClock.Test test) {
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        return new StampedOrder(StampedConfig.defaults(id, members),
            new RealTimeClock(test, SKEW_MILLIS), recovered);
      }

      @Override
      public boolean failStop() {
        return true;
      }
    };
  }

  /** First caught at seed 1 ("committed entry changed") when last measured. */
  @Test
  void testIWithDeltaOfTheSkewAloneIsCaught() {
    assertThat(Simulation.firstFailure(ClassicSchemes.options(2),
        skewOnlyDelta(RealTimeClock.Test.I), 1, 40))
        .hasValueSatisfying(caught -> assertThat(caught)
            .containsAnyOf("divergence", "committed entry changed", "linearizability"));
  }

  /** First caught at seed 1 ("committed entry changed") when last measured. */
  @Test
  void combinedTestWithDeltaOfTheSkewAloneIsCaught() {
    assertThat(Simulation.firstFailure(ClassicSchemes.options(1),
        skewOnlyDelta(RealTimeClock.Test.COMBINED), 1, 40))
        .hasValueSatisfying(caught -> assertThat(caught)
            .containsAnyOf("divergence", "committed entry changed", "linearizability"));
  }
}
