package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.stamped.UidScheme;
import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checkers have teeth for the logical-clock scheme: with a deliberately wrong stability
 * test — a request counts as stable as soon as it arrives, as if no lower uid could still come —
 * replicas process requests in arrival order, and some seed must fail with a divergence or a
 * non-linearizable history.
 */
class BrokenStabilitySimulationTest {
  /** Logical clocks whose stability test passes everything at once. */
  private static final class HastyClock implements UidScheme {
    private final LogicalClock clock = new LogicalClock();

    @Override
    public String name() {
      return "hasty-logical-clock";
    }

    @Override
    public long stamp(long wallClock) {
      return clock.stamp(wallClock);
    }

    @Override
    public void received(long uidTime) {
      clock.received(uidTime);
    }

    @Override
    public boolean stableByTime(long uidTime, long wallClock) {
      return true; // the bug: nothing is waited for
    }

    @Override
    public boolean usesWaitTest() {
      return true;
    }

    @Override
    public long clock() {
      return clock.clock();
    }

    @Override
    public void restoreClock(long donorClock) {
      clock.restoreClock(donorClock);
    }
  }

  private static CoordinationFactory hasty() {
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        return new StampedOrder(StampedConfig.defaults(id, members), new HastyClock(), recovered);
      }

      @Override
      public boolean failStop() {
        return true;
      }
    };
  }

  @Test
  void stabilityTestThatWaitsForNothingIsCaught() {
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= 40 && caught.isEmpty(); seed++) {
      SimResult result = Simulation.run(ClassicSchemes.options(2), seed, hasty());
      if (!result.ok()) {
        caught.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(caught).singleElement().asString()
        .containsAnyOf("divergence", "committed entry changed", "linearizability");
  }
}
