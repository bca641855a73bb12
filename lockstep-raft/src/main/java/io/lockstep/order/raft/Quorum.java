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

  /**
   * A time that at most {@code t} wrong clocks cannot move out of the range of the correct ones:
   * the (k − t)-th smallest of the k = {@code samples.length} clock readings, that is, the
   * largest value with t + 1 readings at or above it.
   *
   * <ul>
   *   <li>Never above the largest correct reading: t + 1 readings are at or above the result,
   *       and at most t of them are wrong (so a clock running an hour ahead cannot lead).
   *   <li>Never below the smallest correct reading when wrong readings and members without a
   *       reading together number at most t: then k − t ≥ w + 1 readings are at or below it,
   *       one of them correct. With 2t + 1 readings this is the median.
   * </ul>
   *
   * @param samples one clock reading per member that has one (k of them), in any order
   * @param t how many of them may be wrong
   * @throws IllegalArgumentException if fewer than t + 1 readings are given: no value would be
   *     bounded above by a correct one
   */
  static long tolerantTime(long[] samples, int t) {
    if (t < 0 || samples.length < t + 1) {
      throw new IllegalArgumentException("need at least t + 1 = " + (t + 1)
          + " clock readings to tolerate t wrong ones, got " + samples.length);
    }
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length - t - 1];
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
