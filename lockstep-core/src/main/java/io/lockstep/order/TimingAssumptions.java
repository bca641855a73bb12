package io.lockstep.order;

import java.util.OptionalLong;

/**
 * The timing a protocol's safety rests on, as configured, so the runtime can watch it: the
 * largest one-way message delay it assumes, and, for a protocol that orders by synchronized
 * clocks, the largest difference between two replicas' clocks (δ). A protocol that assumes
 * neither (Raft, PBFT: time only affects liveness there) reports none
 * ({@link Protocol#timingAssumptions}).
 *
 * @param maxDelayMillis assumed bound on a message's one-way delay, at least 1
 * @param maxSkewMillis assumed bound on two replicas' clock difference, if the protocol's order
 *     depends on it (not negative)
 */
public record TimingAssumptions(long maxDelayMillis, OptionalLong maxSkewMillis) {
  public TimingAssumptions {
    if (maxDelayMillis < 1) {
      throw new IllegalArgumentException("max delay must be at least 1 ms, was "
          + maxDelayMillis);
    }
    if (maxSkewMillis == null || (maxSkewMillis.isPresent() && maxSkewMillis.getAsLong() < 0)) {
      throw new IllegalArgumentException("max skew must be absent or not negative, was "
          + maxSkewMillis);
    }
  }
}
