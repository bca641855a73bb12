package io.lockstep.sim;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The journal of a simulated run: the same {@link Event}s the server journals (the replicas'
 * and the protocol's own, through {@link io.lockstep.replica.Replica#journal}; messages,
 * crashes, restarts, partitions, clock jumps and pauses from the simulator's models; client
 * invocations and outcomes), stamped with simulated nanoseconds, for a timeline of the run.
 *
 * <p>Kept in memory up to {@code capacity} events; later ones are counted in {@link #missed()}
 * but not kept, so a long run cannot exhaust the heap. Journaling never draws from the run's
 * random generators, so a seed's trace digest is the same with or without it.
 */
public final class SimJournal {
  private final int capacity;
  private final List<Stamped> events = new ArrayList<>();
  private long missed;

  /** A journal that keeps the first {@code capacity} events. */
  public SimJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  void add(long nanos, int replica, Event event) {
    if (events.size() < capacity) {
      events.add(new Stamped(nanos, replica, event));
    } else {
      missed++;
    }
  }

  /** The events kept, in the order they happened. */
  public List<Stamped> events() {
    return Collections.unmodifiableList(events);
  }

  /** Events not kept because the journal was full. */
  public long missed() {
    return missed;
  }
}
