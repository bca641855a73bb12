package io.lockstep.order.stamped;

/**
 * A request's unique identifier (paper §3.2.1): the issuing process's clock value at the issuing
 * event and the process's id, compared lexicographically, so two processes never issue equal
 * uids.
 *
 * @param time the clock value (a logical clock's T, or a real-time clock reading)
 * @param process the issuing process (here the replica that issued the request)
 */
public record Uid(long time, int process) implements Comparable<Uid> {
  /** Below every uid a process issues. */
  public static final Uid ZERO = new Uid(0, Integer.MIN_VALUE);

  @Override
  public int compareTo(Uid other) {
    int byTime = Long.compare(time, other.time);
    return byTime != 0 ? byTime : Integer.compare(process, other.process);
  }

  /** True if this uid orders before {@code other}. */
  public boolean before(Uid other) {
    return compareTo(other) < 0;
  }

  @Override
  public String toString() {
    return "(" + time + "," + process + ")";
  }
}
