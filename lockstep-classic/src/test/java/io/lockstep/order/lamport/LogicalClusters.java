package io.lockstep.order.lamport;

import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import io.lockstep.order.testing.Harness;

/** Hand-driven logical-clock clusters for scripted tests. */
final class LogicalClusters {
  private LogicalClusters() {}

  static Harness<StampedOrder> logical(int n) {
    return new Harness<>(n, (id, members) -> new StampedOrder(
        StampedConfig.defaults(id, members), new LogicalClock(), Recovered.EMPTY));
  }
}
