package io.lockstep.order.cuid;

import java.util.List;

/**
 * One replica's settings for the Byzantine replica-uid order ({@link ByzantineCandidateOrder}).
 *
 * @param self this replica's id
 * @param members every replica's id: at least 2t+1 (paper §2), so the t+1 reports that exclude
 *     a replica always include a correct one, and a majority of NF is correct
 * @param t the number of Byzantine replicas tolerated
 * @param roundMillis the length of one signed-agreement round on the synchronized clocks; must
 *     exceed the maximum delay plus twice the clock skew (checked by the protocol's settings)
 * @param maxBatch most requests one replica disseminates per round; more wait for the next
 * @param candidateSpan how far above this replica's own candidate another's may be. A correct
 *     replica's candidate equals this one's (both follow the same decided batches in the same
 *     order, so SEEN and ACCEPT agree), so a larger one is a faulty replica's; the span bounds
 *     how far one faulty candidate can push a uid, so 2^63 / span requests pass before the
 *     counters could overflow
 * @param reportsToExclude timeout reports from distinct replicas that exclude a replica from NF:
 *     t+1, so at least one comes from a correct replica that really waited in vain. Only
 *     {@link #excludingAfterOneReport} (a deliberately broken variant for tests) sets less
 * @param maxPending most requests being ordered before proposals are refused as busy
 */
public record ByzantineConfig(int self, List<Integer> members, int t, long roundMillis,
    int maxBatch, long candidateSpan, int reportsToExclude, int maxPending) {
  public ByzantineConfig {
    members = List.copyOf(members);
    if (!members.contains(self) || t < 0 || members.size() < 2 * t + 1) {
      throw new IllegalArgumentException("self " + self + " must be one of at least 2t+1 = "
          + (2 * t + 1) + " members, got " + members);
    }
    if (roundMillis < 1 || maxBatch < 1 || maxBatch > Batch.MAX_ENTRIES || candidateSpan < 1
        || reportsToExclude < 1 || maxPending < 1
        || (long) maxBatch * members.size() > Batch.MAX_ENTRIES) {
      throw new IllegalArgumentException("round length, batch, span, report count and"
          + " max-pending must be positive; a replica's candidates for one round's batches"
          + " (max batch × members) must fit one batch of " + Batch.MAX_ENTRIES);
    }
  }

  /**
   * Settings with t+1 reports to exclude: 20 ms rounds, 1024 requests per batch, a span of
   * 2^20, 10000 pending.
   */
  public static ByzantineConfig defaults(int self, List<Integer> members, int t) {
    return new ByzantineConfig(self, members, t, 20, 1024, 1L << 20, t + 1, 10_000);
  }

  /** The same with rounds of {@code millis}. */
  public ByzantineConfig withRoundMillis(long millis) {
    return new ByzantineConfig(self, members, t, millis, maxBatch, candidateSpan,
        reportsToExclude, maxPending);
  }

  /**
   * Test only: the same, but one timeout report excludes a replica, so a single faulty replica
   * can exclude correct ones (the checkers must catch what follows).
   */
  public ByzantineConfig excludingAfterOneReport() {
    return new ByzantineConfig(self, members, t, roundMillis, maxBatch, candidateSpan, 1,
        maxPending);
  }
}
