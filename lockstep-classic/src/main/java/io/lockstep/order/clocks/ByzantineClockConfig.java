package io.lockstep.order.clocks;

import java.util.List;

/**
 * One replica's settings for the Byzantine real-time order ({@link ByzantineRealTimeOrder}).
 *
 * @param self this replica's id
 * @param members every replica's id: at least 2t+1 (paper §2), so t+1 copies of a request
 *     always include a correct replica's and the correct replicas are a majority
 * @param t the number of Byzantine replicas tolerated
 * @param roundMillis the length of one signed-agreement round on the synchronized clocks; must
 *     exceed the maximum delay plus twice the clock skew (checked by the protocol's settings)
 * @param skewMillis δ, the bound on two correct replicas' clock difference
 * @param maxBatch most requests one replica disseminates per round; more wait for the next
 * @param maxPending most requests being ordered before proposals are refused as busy
 * @param copyWaitRounds how many rounds a request heard from fewer than t+1 replicas is held
 *     before it is dropped as not its client's own ({@link
 *     io.lockstep.order.agreement.ClientCopies})
 * @param uidWindowUnchecked test only: take batches whatever their stamp, so a test can show
 *     that the checkers catch what a liar's extreme uids then do
 */
public record ByzantineClockConfig(int self, List<Integer> members, int t, long roundMillis,
    long skewMillis, int maxBatch, int maxPending, int copyWaitRounds,
    boolean uidWindowUnchecked) {
  public ByzantineClockConfig {
    members = List.copyOf(members);
    if (!members.contains(self) || t < 0 || members.size() < 2 * t + 1) {
      throw new IllegalArgumentException("self " + self + " must be one of at least 2t+1 = "
          + (2 * t + 1) + " members, got " + members);
    }
    if (roundMillis < 1 || skewMillis < 0 || maxBatch < 1 || maxBatch > ClockBatch.MAX_ENTRIES
        || maxPending < 1 || copyWaitRounds < 1) {
      throw new IllegalArgumentException("round length, batch, max-pending and copy wait must"
          + " be positive, the skew not negative, a batch at most " + ClockBatch.MAX_ENTRIES);
    }
  }

  /**
   * Δ of test I (paper §3.2.2) for these rounds, in local time: (t+1) rounds plus δ. A request
   * stamped u in round s (its stamp lies in that round: {@link ByzantineRealTimeOrder} drops any
   * other) is decided at every correct replica as round s+t+1 begins by that replica's clock,
   * at most (t+1) rounds after u by the transmitter's clock, so at most (t+1) rounds plus δ by
   * any correct replica's clock. The order applies test I on the round counter itself (every
   * request of round s is stable when round s+t+1 begins), which is this Δ with no tick's
   * lateness added and the same boundary at every correct replica.
   */
  public static long delta(int t, long roundMillis, long skewMillis) {
    return (t + 1L) * roundMillis + skewMillis;
  }

  /** 50 ms rounds, δ = 2 ms, 1024 requests per batch, 10000 pending, a wait of 8 rounds. */
  public static ByzantineClockConfig defaults(int self, List<Integer> members, int t) {
    return new ByzantineClockConfig(self, members, t, 50, 2, 1024, 10_000, 8, false);
  }

  /** The same with rounds of {@code millis}. */
  public ByzantineClockConfig withRoundMillis(long millis) {
    return new ByzantineClockConfig(self, members, t, millis, skewMillis, maxBatch, maxPending,
        copyWaitRounds, uidWindowUnchecked);
  }

  /** Test only: the same, taking batches whatever their stamp. */
  public ByzantineClockConfig withUidWindowUnchecked() {
    return new ByzantineClockConfig(self, members, t, roundMillis, skewMillis, maxBatch,
        maxPending, copyWaitRounds, true);
  }
}
