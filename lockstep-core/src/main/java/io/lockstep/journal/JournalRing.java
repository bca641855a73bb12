package io.lockstep.journal;

import java.util.List;

/**
 * A bounded ring of stamped events: one thread adds (the replica's loop), another drains (the
 * journal writer). When the writer falls behind, the oldest events are overwritten and counted in
 * {@link #overwritten()}, so the loop never waits and memory stays bounded; the writer records the
 * loss in the file, where a reader sees it.
 *
 * <p>The ring keeps its events in preallocated columns (time, replica, event) rather than as
 * {@link Stamped} objects, so {@link #add(long, int, Event)} allocates nothing on the loop thread:
 * the {@link Stamped} a reader needs is made by {@link #drainTo} on the writer's thread. Adding
 * takes a lock the writer holds only while it copies a batch out, so the loop's cost is one
 * uncontended lock and three array stores per event.
 */
public final class JournalRing {
  private final long[] nanos;
  private final int[] replicas;
  private final Event[] events;
  private long head;
  private long tail;
  private long overwritten;

  /** A ring of {@code capacity} events. */
  public JournalRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.nanos = new long[capacity];
    this.replicas = new int[capacity];
    this.events = new Event[capacity];
  }

  /** Adds {@code event}, overwriting the oldest when full. */
  public void add(Stamped event) {
    add(event.nanos(), event.replica(), event.event());
  }

  /**
   * Adds {@code event}, which happened at {@code nanos} on {@code replica}, overwriting the oldest
   * when full. Allocates nothing.
   */
  public synchronized void add(long nanos, int replica, Event event) {
    if (event == null) {
      throw new NullPointerException("event");
    }
    if (tail - head == events.length) {
      // The overwritten slot is reused at once below: no need to clear it.
      head++;
      overwritten++;
    }
    int slot = (int) (tail % events.length);
    this.nanos[slot] = nanos;
    this.replicas[slot] = replica;
    this.events[slot] = event;
    tail++;
  }

  /** Moves every event held to {@code into}, oldest first; returns how many. */
  public synchronized int drainTo(List<Stamped> into) {
    int n = (int) (tail - head);
    for (; head < tail; head++) {
      int slot = (int) (head % events.length);
      into.add(new Stamped(nanos[slot], replicas[slot], events[slot]));
      // Cleared so the ring does not keep a drained event's strings alive.
      events[slot] = null;
    }
    return n;
  }

  /** Events lost because the ring was full, since it was made. */
  public synchronized long overwritten() {
    return overwritten;
  }

  /** Events held now. */
  public synchronized int size() {
    return (int) (tail - head);
  }

  public int capacity() {
    return events.length;
  }
}
