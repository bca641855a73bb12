package io.lockstep.order.cuid;

import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.testing.Harness;

/** Hand-driven replica-uid clusters for scripted tests, after a first tick. */
final class CuidClusters {
  private CuidClusters() {}

  static Harness<CandidateOrder> started(int n, boolean quiescence) {
    Harness<CandidateOrder> h = new Harness<>(n, (id, members) -> new CandidateOrder(
        StampedConfig.defaults(id, members), Recovered.EMPTY, quiescence));
    h.tickAll(1, 1);
    return h;
  }

  /** {@code n} replicas of the ABCAST variant, with client quiescence. */
  static Harness<CandidateOrder> abcast(int n) {
    Harness<CandidateOrder> h = new Harness<>(n, (id, members) -> new CandidateOrder(
        StampedConfig.defaults(id, members), Recovered.EMPTY, true, UidChoice.ABCAST));
    h.tickAll(1, 1);
    return h;
  }
}
