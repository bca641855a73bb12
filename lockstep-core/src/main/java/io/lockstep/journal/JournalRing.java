package io.lockstep.journal;

import java.util.List;

/**
 * A bounded ring of {@link Stamped} events: one thread adds (the replica's loop), another drains
 * (the journal writer). When the writer falls behind, the oldest events are overwritten and
 * counted in {@link #overwritten()}, so the loop never waits and memory stays bounded; the writer
 * records the loss in the file, where a reader sees it.
 *
 * <p>Adding takes a lock the writer holds only while it copies references out, so the loop's cost
 * is one uncontended lock and an array store per event.
 */
public final class JournalRing {
  private final Stamped[] slots;
  private long head;
  private long tail;
  private long overwritten;

  /** A ring of {@code capacity} events. */
  public JournalRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.slots = new Stamped[capacity];
  }

  /** Adds {@code event}, overwriting the oldest when full. */
  public synchronized void add(Stamped event) {
    if (tail - head == slots.length) {
      slots[(int) (head % slots.length)] = null;
      head++;
      overwritten++;
    }
    slots[(int) (tail % slots.length)] = event;
    tail++;
  }

  /** Moves every event held to {@code into}, oldest first; returns how many. */
  public synchronized int drainTo(List<Stamped> into) {
    int n = (int) (tail - head);
    for (; head < tail; head++) {
      int slot = (int) (head % slots.length);
      into.add(slots[slot]);
      slots[slot] = null;
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
    return slots.length;
  }
}
