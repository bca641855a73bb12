package io.lockstep.server;

/**
 * <b>Test only</b>: a gate the {@link ReplicaLoop} passes once per turn, so an in-process test
 * can stall one replica's loop the way {@code SIGSTOP} (or a long collector pause) stalls a
 * process: the loop steps nothing more, what peers, clients and the timer send it waits in its
 * bounded queue (or is dropped once that is full, as always), and when released it carries on
 * with all of it, the first tick telling the protocol how long it was away. Tests need this to
 * check that a replica other replicas declared failed meanwhile halts rather than serving a
 * stale read; stopping a real process cannot do it in-process (it would stall every replica in
 * the test's JVM), and {@code Thread.suspend}, which once did, throws from JDK 20 on.
 *
 * <p>The gate holds the loop after it has taken the event that woke it and before it steps
 * anything of that turn, so once the turn in progress when {@link #stall} is called ends,
 * nothing more is stepped until {@link #release}. An idle loop parks at the next timer tick.
 *
 * <p>Never stalled in production: the loop pays one volatile read a turn.
 */
final class TestLoopStall {
  private final Object lock = new Object();
  /** Written under {@link #lock}; the loop reads it without the lock on every turn. */
  private volatile boolean stalled;

  /** From a test: the loop steps nothing from its next turn on, until {@link #release}. */
  void stall() {
    synchronized (lock) {
      stalled = true;
    }
  }

  /** Lets a stalled loop go on (nothing happens if it is not stalled). */
  void release() {
    synchronized (lock) {
      stalled = false;
      lock.notifyAll();
    }
  }

  /**
   * On the loop thread, once a turn: returns at once unless stalled, else waits until released.
   *
   * @throws InterruptedException if the loop thread is interrupted while it waits; the loop
   *     then ends as it does when interrupted in its queue
   */
  void pass() throws InterruptedException {
    if (stalled) {
      synchronized (lock) {
        while (stalled) {
          lock.wait();
        }
      }
    }
  }
}
