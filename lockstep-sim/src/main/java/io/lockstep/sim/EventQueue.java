package io.lockstep.sim;

import java.util.PriorityQueue;

/**
 * The simulator's discrete-event queue: actions ordered by (simulated time, sequence number).
 *
 * <p>The sequence number breaks ties in scheduling order, so two runs that schedule the same
 * actions in the same order execute them in the same order (a seed replays a run exactly). Time is
 * in simulated nanoseconds and never goes backwards.
 */
final class EventQueue {
  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long nextSeq;
  private long executed;

  /** Current simulated time in nanoseconds. */
  long now() {
    return now;
  }

  /** Number of actions run so far. */
  long executed() {
    return executed;
  }

  /** Number of actions waiting. */
  int size() {
    return queue.size();
  }

  /** Runs {@code action} at simulated time {@code time} (not before now). */
  void at(long time, Runnable action) {
    if (time < now) {
      throw new IllegalArgumentException("cannot schedule at " + time + " before now " + now);
    }
    queue.add(new Event(time, nextSeq++, action));
  }

  /** Runs {@code action} {@code delay} nanoseconds from now. */
  void after(long delay, Runnable action) {
    if (delay < 0) {
      throw new IllegalArgumentException("negative delay " + delay);
    }
    at(now + delay, action);
  }

  /** Time of the next action, or Long.MAX_VALUE when none is waiting. */
  long peekTime() {
    Event head = queue.peek();
    return head == null ? Long.MAX_VALUE : head.time;
  }

  /** Runs the next action; returns false when the queue is empty. */
  boolean runNext() {
    Event event = queue.poll();
    if (event == null) {
      return false;
    }
    now = event.time;
    executed++;
    event.action.run();
    return true;
  }
}
