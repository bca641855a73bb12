package io.lockstep.journal;

import java.util.Objects;

/**
 * An {@link Event} with when and where it happened.
 *
 * @param nanos when, in nanoseconds on the recorder's clock (simulated time in the simulator,
 *     nanoseconds since the epoch in the server)
 * @param replica the replica it happened on, or -1 for a client's event (its lane is
 *     {@link Event#client()})
 * @param event what happened
 */
public record Stamped(long nanos, int replica, Event event) {
  public Stamped {
    Objects.requireNonNull(event, "event");
  }
}
