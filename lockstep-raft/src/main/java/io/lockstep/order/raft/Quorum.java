package io.lockstep.order.raft;

import java.util.Arrays;

/**
 * Majority arithmetic (Raft §3.6.3, §5.4.2): pure functions with property tests.
 *
 * <p>Two majorities of the same membership always intersect; every safety argument of Raft rests
 * on that, so it lives in one place.
 */
final class Quorum {
  /** Outcome of an election round. */
  enum VoteResult {
    WON,
    LOST,
    PENDING
  }

  private Quorum() {}

  /** Smallest number of members that forms a majority of {@code members}. */
  static int majority(int members) {
    if (members < 1) {
      throw new IllegalArgumentException("a quorum needs at least one member, got " + members);
    }
    return members / 2 + 1;
  }

  /**
   * The largest index held by a majority: the majority-th largest of {@code matchIndex} (one
   * value per member, the leader's own included). Does not apply the current-term rule.
   */
  static long committedIndex(long[] matchIndex) {
    long[] sorted = matchIndex.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length - majority(sorted.length)];
  }

  /** Election outcome once {@code granted} and {@code rejected} of {@code members} answered. */
  static VoteResult voteResult(int granted, int rejected, int members) {
    if (granted < 0 || rejected < 0 || granted + rejected > members) {
      throw new IllegalArgumentException(
          "impossible tally: " + granted + " granted, " + rejected + " rejected of " + members);
    }
    int majority = majority(members);
    if (granted >= majority) {
      return VoteResult.WON;
    }
    if (members - rejected < majority) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }
}
