package io.lockstep.order.clocks;

import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;

/** Hand-driven real-time-clock clusters for scripted tests (all clocks read alike). */
final class RealTimeClusters {
  private RealTimeClusters() {}

  static Harness<StampedOrder> realTime(int n, RealTimeClock.Test test, long deltaMillis) {
    return new Harness<>(n, (id, members) -> new StampedOrder(
        StampedConfig.defaults(id, members), new RealTimeClock(test, deltaMillis),
        Recovered.EMPTY));
  }
}
