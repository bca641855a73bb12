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

  /**
   * The scheme's clock state, for a rejoining replica (paper §7.2): a value above every uid time
   * this replica issued or received.
   */
  long clock();

  /**
   * Continues from {@code clock} (a donor's {@link #clock()}): every uid issued afterwards is
   * above it, so it sorts after everything the donor had received.
   */
  void restoreClock(long clock);

  /**
   * How long after rejoining, measured on uid times, test I must not be trusted at the joiner:
   * requests issued before it had the state reach it by retransmission, which may take longer
   * than Δ. The waiting test covers them meanwhile. Zero for schemes without test I.
   */
  default long integrationHoldMillis() {
    return 0;
  }
}
