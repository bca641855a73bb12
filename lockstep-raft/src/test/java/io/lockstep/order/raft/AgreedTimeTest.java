package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Agreed time is bounded by a quorum of clocks: up to t wrong clocks, the leader's own included,
 * cannot move it out of the range of the correct ones.
 */
class AgreedTimeTest {
  private static final long HOUR = 3_600_000;

  // ---- the proposal on its own ------------------------------------------------------------

  @Test
  void aLeaderWithoutReportsKeepsThePreviousTimeRatherThanLeapToItsOwnClock() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 5_000 + HOUR);
    assertThat(time.propose(100, 5_000, voters(3))).isEqualTo(5_000);
  }

  @Test
  void oneFastClockAmongThreeCannotLeadAgreedTime() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000 + HOUR);
    time.report(2, 10_000);
    assertThat(time.propose(100, 0, voters(3))).isEqualTo(10_000);
    time.report(3, 10_020);
    assertThat(time.propose(100, 0, voters(3))).isEqualTo(10_020);
  }

  @Test
  void oneSlowClockAmongThreeCannotHoldAgreedTimeBack() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000 - HOUR);
    time.report(2, 10_000);
    time.report(3, 10_020);
    assertThat(time.propose(100, 0, voters(3))).isEqualTo(10_000);
  }

  @Test
  void reportsAreAgedByTheLeadersMonotonicClockAndDroppedWhenOlderThanTheMaximumAge() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.report(2, 10_000);
    time.tick(100, 10_900 + HOUR); // the report is timed by the first tick after it arrived
    assertThat(time.propose(1_100, 0, voters(3))).isEqualTo(10_000 + 1_000);
    assertThat(time.propose(1_101, 0, voters(3))).isEqualTo(0); // the report expired: too few readings
  }

  @Test
  void aReportIsTimedByTheFirstTickAfterItArrivedSoItsAgeIsNeverOverestimated() {
    AgreedTime time = new AgreedTime(1_000, false); // t = 0: the larger of the two readings
    time.tick(100, 10_000);
    time.report(2, 10_050); // arrives some time after the tick at 100
    assertThat(time.propose(100, 0, voters(2))).isEqualTo(10_050);
    time.tick(110, 10_010);
    assertThat(time.propose(110, 0, voters(2))).as("received by 110: no age yet").isEqualTo(10_050);
    time.tick(120, 10_020);
    assertThat(time.propose(120, 0, voters(2))).isEqualTo(10_060);
  }

  @Test
  void agreedTimeNeverGoesBelowTheLastEntrysTime() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000);
    time.report(2, 10_000);
    assertThat(time.propose(100, 12_000, voters(3))).isEqualTo(12_000);
  }

  @Test
  void aReadingOfZeroIsNoReading() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000 + HOUR);
    time.report(2, 0);
    assertThat(time.propose(100, 7, voters(3))).isEqualTo(7);
  }

  @Test
  void aLoneReplicaStampsItsOwnClockSinceThereIsNothingToOutvoteIt() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000);
    assertThat(time.propose(100, 0, voters(1))).isEqualTo(10_000);
  }

  @Test
  void onlyTheVotersClocksAreSampledNotALearnersOrARemovedReplicas() {
    AgreedTime time = new AgreedTime(1_000, false);
    time.tick(100, 10_000);
    time.report(2, 10_010);
    time.report(9, 10_000 + HOUR); // a learner being caught up: its clock is no vote
    assertThat(time.propose(100, 0, voters(3)))
        .as("own 10_000 and 2's 10_010, t = 1: the lower, with 9's reading left out")
        .isEqualTo(10_000);
    assertThat(time.propose(100, 0, List.of(1, 2, 9)))
        .as("once 9 votes, its reading is one of three").isEqualTo(10_010);
  }

  /** Voters 1..n; the clock under test is replica 1's. */
  private static List<Integer> voters(int n) {
    return IntStream.rangeClosed(1, n).boxed().toList();
  }

  // ---- in a cluster ---------------------------------------------------------------------------

  @Test
  void aLeaderWhoseClockIsAnHourAheadStampsTheCorrectClocksTime() {
    Cluster cluster = new Cluster(3, 301);
    cluster.node(1).wallOffset = HOUR;
    cluster.makeLeader(1);
    cluster.propose(1, "x");
    cluster.run(50);
    Ordered stamped = last(cluster.node(2).stable);
    long clock = cluster.node(2).clock;
    assertThat(stamped.time()).isBetween(clock - 100, clock);
  }

  @Test
  void theOldRuleOfStampingTheLeadersClockIsAnHourAhead() {
    Cluster cluster = new Cluster(3, c -> c,
        id -> id == 1 ? Raft.Bug.TIME_FROM_LEADER_CLOCK : Raft.Bug.NONE, 301);
    cluster.node(1).wallOffset = HOUR;
    cluster.makeLeader(1);
    cluster.propose(1, "x");
    cluster.run(50);
    assertThat(last(cluster.node(2).stable).time())
        .isGreaterThan(cluster.node(2).clock + HOUR - 100);
  }

  @Test
  void aLeaderWhoseClockIsAnHourBehindDoesNotStopAgreedTime() {
    Cluster cluster = new Cluster(3, 302);
    cluster.node(3).wallOffset = -HOUR;
    cluster.makeLeader(3);
    cluster.propose(3, "x");
    cluster.run(50);
    long clock = cluster.node(1).clock;
    assertThat(last(cluster.node(1).stable).time()).isBetween(clock - 100, clock);
  }

  @Test
  void twoWrongClocksAmongFiveCannotMoveAgreedTimeEitherWay() {
    Cluster cluster = new Cluster(5, 303);
    cluster.node(1).wallOffset = HOUR;
    cluster.node(2).wallOffset = -HOUR;
    cluster.makeLeader(1);
    cluster.propose(1, "x");
    cluster.run(50);
    long clock = cluster.node(3).clock;
    assertThat(last(cluster.node(3).stable).time()).isBetween(clock - 100, clock);
  }

  @Test
  void aNewLeaderFastByAnHourStampsItsFirstEntryFromTheClocksItsVotersReported() {
    Cluster cluster = new Cluster(3, 304);
    cluster.makeLeader(1);
    cluster.propose(1, "before");
    cluster.run(50);
    cluster.node(2).wallOffset = HOUR;
    cluster.run(5_000); // time passes: standing still would now be five seconds behind
    long before = last(cluster.node(1).stable).time();
    cluster.makeLeader(2);
    List<LogEntry> log = cluster.diskLog(2);
    LogEntry noOp = log.stream().filter(e -> e.request() == null && e.term()
        == cluster.raft(2).status().term()).findFirst().orElseThrow();
    long clock = cluster.node(1).clock;
    assertThat(noOp.time()).as("from its voters' clocks: neither standing still nor an hour on")
        .isBetween(before + 5_000, clock);
    cluster.propose(2, "after");
    cluster.run(50);
    clock = cluster.node(1).clock;
    assertThat(last(cluster.node(1).stable).time()).isBetween(clock - 100, clock);
  }

  private static Ordered last(List<Ordered> stable) {
    return stable.get(stable.size() - 1);
  }
}
