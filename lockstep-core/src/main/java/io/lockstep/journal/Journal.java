package io.lockstep.journal;

/**
 * Where a replica's events go. The runtime implements it and stamps each event with its own
 * time; the deterministic code that calls it reads no clock (a protocol core, the replica glue).
 * Implementations must be cheap: {@link #record} is called on the replica's loop thread.
 */
@FunctionalInterface
public interface Journal {
  /** A journal that keeps nothing. */
  Journal OFF = new Journal() {
    @Override
    public void record(int replica, Event event) {
    }

    @Override
    public boolean recording() {
      return false;
    }
  };

  /** Records {@code event}, which happened on {@code replica} (or -1: on a client) just now. */
  void record(int replica, Event event);

  /**
   * Whether events are kept right now. A caller that must build an event (its strings, its
   * object) asks first, so a journal that keeps nothing costs its caller nothing; a journal
   * paused at run time (to measure its cost in one run, docs/BENCHMARKS.md) answers false
   * while paused. True unless overridden.
   */
  default boolean recording() {
    return true;
  }
}
