package io.lockstep.order.lamport;

import io.lockstep.order.stamped.UidScheme;

/**
 * A Lamport logical clock T (paper §3.2.1). LC1: T is incremented after each event — here each
 * broadcast this replica issues takes the next value, so its uids strictly increase. LC2: on
 * receiving a message stamped τ, T := max(T, τ) + 1, so anything this replica issues afterwards
 * has a larger uid than what it received: if r could have caused r', uid(r) &lt; uid(r') (O2).
 */
public final class LogicalClock implements UidScheme {
  private long clock;

  @Override
  public String name() {
    return "logical-clock";
  }

  @Override
  public long stamp(long wallClock) {
    return ++clock; // LC1
  }

  @Override
  public void received(long uidTime) {
    clock = Math.max(clock, uidTime) + 1; // LC2
  }

  @Override
  public boolean stableByTime(long uidTime, long wallClock) {
    return false;
  }

  @Override
  public boolean usesWaitTest() {
    return true;
  }

  /** The current value of T. */
  public long value() {
    return clock;
  }

  @Override
  public long clock() {
    return clock;
  }

  @Override
  public void restoreClock(long donorClock) {
    clock = Math.max(clock, donorClock);
  }
}
