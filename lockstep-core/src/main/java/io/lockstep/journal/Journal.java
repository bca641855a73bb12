package io.lockstep.journal;

/**
 * Where a replica's events go. The runtime implements it and stamps each event with its own
 * time; the deterministic code that calls it reads no clock (a protocol core, the replica glue).
 * Implementations must be cheap: {@link #record} is called on the replica's loop thread.
 */
@FunctionalInterface
public interface Journal {
  /** A journal that keeps nothing. */
  Journal OFF = (replica, event) -> { };

  /** Records {@code event}, which happened on {@code replica} (or -1: on a client) just now. */
  void record(int replica, Event event);
}
