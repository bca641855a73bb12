package io.lockstep.executor;

import io.lockstep.machine.ClientId;

/**
 * A request the state machine created for itself: a time-out (paper §5.2, {@code schedule
 * <request> for +τ}) or a default request for a silent client (paper §6). It is never sent as a
 * message; every replica holds the same ones because they are created by deterministic commands.
 *
 * @param due the agreed time from which it runs
 * @param creation a counter giving creation order, which breaks ties between equal due times
 * @param kind time-out or default
 * @param client the caller the command runs as
 * @param command the encoded command
 */
record Scheduled(long due, long creation, Kind kind, ClientId client, byte[] command) {
  /** What created the request. */
  enum Kind {
    /** {@link io.lockstep.machine.Context#schedule}: runs with isTimeout() true. */
    TIMEOUT,
    /** {@link io.lockstep.machine.Context#expect}: runs with isDefault() true unless cancelled. */
    DEFAULT
  }
}
