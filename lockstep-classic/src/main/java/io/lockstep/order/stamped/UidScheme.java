package io.lockstep.order.stamped;

/**
 * How one of the paper's schemes stamps uids and decides stability (§3.2.1, §3.2.2). One object
 * per replica; deterministic (time comes in as arguments).
 */
public interface UidScheme {
  /** The scheme's name, for status and messages. */
  String name();

  /**
   * The time component of the uid of a broadcast this replica issues now; strictly above every
   * earlier one it issued.
   *
   * @param wallClock this replica's latest wall clock reading
   */
  long stamp(long wallClock);

  /** A broadcast stamped {@code uidTime} was received (LC2 for logical clocks). */
  void received(long uidTime);

  /**
   * Test I (§3.2.2): whether the request with uid time {@code uidTime} is stable by time alone at
   * local clock {@code wallClock}. Always false for logical clocks.
   */
  boolean stableByTime(long uidTime, long wallClock);

  /**
   * Whether the scheme also uses the waiting test (logical clocks' stability test, test II of
   * §3.2.2): stable once a broadcast with a larger uid has arrived from every replica not known
   * to have failed.
   */
  boolean usesWaitTest();
}
