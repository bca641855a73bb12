package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Property tests for the pure maths: quorums, the commit index, elections. */
class QuorumPropertiesTest {
  @Property
  void committedIndexIsHeldByAMajority(
      @ForAll @Size(min = 1, max = 9) List<@LongRange(min = 0, max = 50) Long> matchIndex) {
    long[] values = matchIndex.stream().mapToLong(Long::longValue).toArray();
    long committed = Quorum.committedIndex(values);
    int majority = Quorum.majority(values.length);
    assertThat(Arrays.stream(values).filter(v -> v >= committed).count())
        .isGreaterThanOrEqualTo(majority);
  }

  @Property
  void committedIndexIsTheLargestSuchIndex(
      @ForAll @Size(min = 1, max = 9) List<@LongRange(min = 0, max = 50) Long> matchIndex) {
    long[] values = matchIndex.stream().mapToLong(Long::longValue).toArray();
    long committed = Quorum.committedIndex(values);
    assertThat(Arrays.stream(values).filter(v -> v > committed).count())
        .isLessThan(Quorum.majority(values.length));
  }

  @Property
  void committedIndexNeverDropsWhenAReplicaAdvances(
      @ForAll @Size(min = 1, max = 9) List<@LongRange(min = 0, max = 50) Long> matchIndex,
      @ForAll @IntRange(min = 0, max = 8) int which, @ForAll @LongRange(min = 0, max = 20) long by) {
    long[] values = matchIndex.stream().mapToLong(Long::longValue).toArray();
    long before = Quorum.committedIndex(values);
    values[which % values.length] += by;
    assertThat(Quorum.committedIndex(values)).isGreaterThanOrEqualTo(before);
  }

  @Property
  void committedIndexDoesNotDependOnOrder(
      @ForAll @Size(min = 1, max = 9) List<@LongRange(min = 0, max = 50) Long> matchIndex) {
    long[] values = matchIndex.stream().mapToLong(Long::longValue).toArray();
    long[] reversed = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      reversed[i] = values[values.length - 1 - i];
    }
    assertThat(Quorum.committedIndex(reversed)).isEqualTo(Quorum.committedIndex(values));
  }

  @Property
  void anyTwoMajoritiesIntersect(@ForAll @IntRange(min = 1, max = 1000) int members) {
    assertThat(2 * Quorum.majority(members)).isGreaterThan(members);
    assertThat(Quorum.majority(members)).isLessThanOrEqualTo(members);
  }

  @Property
  void anElectionIsWonExactlyWithAMajorityAndLostWhenOneIsOutOfReach(
      @ForAll("tallies") int[] tally) {
    int members = tally[0];
    int granted = tally[1];
    int rejected = tally[2];
    int majority = Quorum.majority(members);
    Quorum.VoteResult result = Quorum.voteResult(granted, rejected, members);
    assertThat(result == Quorum.VoteResult.WON).isEqualTo(granted >= majority);
    assertThat(result == Quorum.VoteResult.LOST)
        .isEqualTo(granted < majority && members - rejected < majority);
  }

  @Provide
  Arbitrary<int[]> tallies() {
    return Arbitraries.integers().between(1, 9).flatMap(n -> Arbitraries.integers().between(0, n)
        .flatMap(g -> Arbitraries.integers().between(0, n - g).map(r -> new int[] {n, g, r})));
  }

  @Property
  void findConflictByTermReturnsTheLastIndexWithAnOlderOrEqualTerm(
      @ForAll @Size(min = 0, max = 30) List<@IntRange(min = 0, max = 3) Integer> termSteps,
      @ForAll @IntRange(min = 0, max = 40) int index, @ForAll @IntRange(min = 0, max = 40) int term) {
    RaftLog log = new RaftLog(0, 0, 0);
    long current = 1;
    for (int step : termSteps) {
      current += step;
      log.append(new io.lockstep.order.LogEntry(log.lastIndex() + 1, current, 0, null));
    }
    long found = log.findConflictByTerm(index, term);
    long expected = 0;
    for (long i = Math.min(index, log.lastIndex()); i > 0; i--) {
      if (log.termAt(i) <= term) {
        expected = i;
        break;
      }
    }
    assertThat(found).isEqualTo(expected);
  }

  @Property
  void progressNeverExceedsItsInflightWindow(
      @ForAll @IntRange(min = 1, max = 5) int window,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> operations) {
    Progress pr = new Progress(1, window);
    pr.maybeUpdate(0);
    pr.becomeReplicate();
    long last = 0;
    for (int op : operations) {
      switch (op) {
        case 0 -> {
          if (!pr.paused()) {
            last = pr.next() + 1;
            pr.sentEntries(last, 2);
          }
        }
        case 1 -> {
          pr.maybeUpdate(Math.min(last, pr.match() + 1));
          pr.freeUpTo(pr.match());
        }
        case 2 -> pr.freeFirstInflight();
        default -> pr.resume();
      }
      assertThat(pr.inflightCount()).isBetween(0, window);
      assertThat(pr.next()).isGreaterThan(pr.match());
    }
  }

  @Property
  void tolerantTimeStaysWithinTheCorrectClocksWhenAtMostTOfTwoTPlusOneAreWrong(
      @ForAll @IntRange(min = 0, max = 4) int t,
      @ForAll @Size(min = 9, max = 9) List<@LongRange(min = 0, max = 1_000) Long> correct,
      @ForAll @Size(min = 4, max = 4) List<@LongRange(min = -10_000_000, max = 10_000_000) Long>
          wrong,
      @ForAll @IntRange(min = 0, max = 4) int wrongCount) {
    int w = Math.min(wrongCount, t);
    long[] samples = new long[2 * t + 1];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = i < w ? wrong.get(i) : correct.get(i);
    }
    long[] good = Arrays.copyOfRange(samples, w, samples.length);
    long time = Quorum.tolerantTime(samples, t);
    assertThat(time).isBetween(Arrays.stream(good).min().getAsLong(),
        Arrays.stream(good).max().getAsLong());
  }

  @Property
  void tolerantTimeNeverExceedsTheLargestCorrectClockEvenWithReadingsMissing(
      @ForAll @IntRange(min = 0, max = 4) int t,
      @ForAll @IntRange(min = 0, max = 4) int missing,
      @ForAll @Size(min = 9, max = 9) List<@LongRange(min = 0, max = 1_000) Long> correct,
      @ForAll @Size(min = 4, max = 4) List<@LongRange(min = 0, max = 10_000_000) Long> fast) {
    int k = 2 * t + 1 - Math.min(missing, t);
    long[] samples = new long[k];
    for (int i = 0; i < k; i++) {
      samples[i] = i < t ? fast.get(i) : correct.get(i);
    }
    long maxCorrect = Arrays.stream(samples, t, k).max().getAsLong();
    assertThat(Quorum.tolerantTime(samples, t)).isLessThanOrEqualTo(maxCorrect);
  }
}
