package io.lockstep.order.clocks;

import io.lockstep.order.stamped.UidScheme;

/**
 * uids from synchronized real-time clocks (paper §3.2.2), with test I, test II or both.
 *
 * <p>Stamping: the clock reading, but at most one uid per replica per clock tick (O1: a second
 * request in the same millisecond takes the next one), and above every uid this replica has
 * received. The paper gets O2 from the clock alone, with skew δ below the minimum message
 * delay; a replica here reads its clock only at ticks, so a reading can be a tick old and the
 * skew argument alone would not order a request after one it received moments before. Taking
 * the larger of the reading and the received uid keeps O2 along every message chain; while
 * clocks stay within δ it moves a uid ahead of the reading by at most δ plus a tick (a
 * <em>Decision</em>, in the spirit of hybrid logical clocks). It also makes the paper's bound
 * δ &lt; minimum delay unnecessary, so the protocol's check no longer asks for it: O2 along a
 * chain of messages holds whatever the delays, and after an answer see {@code
 * RealTimeClockProtocol}.
 *
 * <p>Test I: stable once the local clock τ satisfies uid &lt; τ − Δ, where Δ bounds the time from
 * a request's uid to its arrival at every correct replica. Its lag of Δ shows on every request;
 * test II has none but waits for every replica; combined, the Δ lag appears only when some
 * replica is slow or failed.
 */
public final class RealTimeClock implements UidScheme {
  /** Which stability tests are used. */
  public enum Test {
    /** Test I only: time. */
    I,
    /** Test II only: a larger uid from every replica. */
    II,
    /** Either. */
    COMBINED
  }

  private final Test test;
  private final long deltaMillis;
  private long last;

  /**
   * @param test which tests to use
   * @param deltaMillis Δ: every correct replica has a request by local time uid + Δ
   */
  public RealTimeClock(Test test, long deltaMillis) {
    this.test = test;
    this.deltaMillis = deltaMillis;
  }

  @Override
  public String name() {
    return "real-time";
  }

  @Override
  public long stamp(long wallClock) {
    last = Math.max(Math.max(wallClock, 1), last + 1);
    return last;
  }

  @Override
  public void received(long uidTime) {
    last = Math.max(last, uidTime);
  }

  @Override
  public boolean stableByTime(long uidTime, long wallClock) {
    return test != Test.II && uidTime < wallClock - deltaMillis;
  }

  @Override
  public boolean usesWaitTest() {
    return test != Test.I;
  }

  @Override
  public long clock() {
    return last;
  }

  @Override
  public void restoreClock(long donorClock) {
    last = Math.max(last, donorClock);
  }

  /**
   * Δ plus Δ again: a request issued before the joiner had the state has a uid below the
   * joiner's clock at that moment plus the skew (less than Δ), and one issued after reaches it
   * directly within Δ.
   */
  @Override
  public long integrationHoldMillis() {
    return test == Test.II ? 0 : 2 * deltaMillis;
  }
}
