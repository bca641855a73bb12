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
  private static final int CHUNK = 1024;
  private final long[] nanos;
  private final int[] replicas;
  private final Event[] events;
  private long head;
  private long tail;
  private long overwritten;
  /** The drainer's copy of one chunk; its monitor lets one thread drain at a time. */
  private final Event[] chunk = new Event[CHUNK];
  private final long[] chunkNanos = new long[CHUNK];
  private final int[] chunkReplicas = new int[CHUNK];

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

  /** Where {@link #drainTo(Sink)} hands events, one by one, without making objects. */
  @FunctionalInterface
  public interface Sink {
    /** Takes {@code event}, which happened at {@code nanos} on {@code replica}. */
    void accept(long nanos, int replica, Event event);
  }

  /** Moves every event held to {@code into}, oldest first; returns how many. */
  public int drainTo(List<Stamped> into) {
    return drainTo((nanos, replica, event) -> into.add(new Stamped(nanos, replica, event)));
  }

  /**
   * Moves every event held to {@code into}, oldest first; returns how many. The events are
   * copied out under the lock in chunks of {@value #CHUNK} and handed over after it is released,
   * so the loop thread never waits for more than a chunk's copy. At most {@link #capacity()}
   * events per call.
   */
  public int drainTo(Sink into) {
    synchronized (chunk) {
      int total = 0;
      int n;
      // At most one ring's worth per call, so a writer that cannot keep up still returns (and
      // writes what it has) while the ring overwrites its oldest.
      while ((n = takeChunk(events.length - total)) > 0) {
        for (int i = 0; i < n; i++) {
          into.accept(chunkNanos[i], chunkReplicas[i], chunk[i]);
          chunk[i] = null;
        }
        total += n;
      }
      return total;
    }
  }

  private synchronized int takeChunk(int most) {
    int n = (int) Math.min(Math.min(CHUNK, most), tail - head);
    for (int i = 0; i < n; i++, head++) {
      int slot = (int) (head % events.length);
      chunkNanos[i] = nanos[slot];
      chunkReplicas[i] = replicas[slot];
      chunk[i] = events[slot];
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
