package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimClockTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void synchronizedClocksStayWithinTheSkewBoundOfEachOther() {
    ClockModel model = ClockModel.synchronizedWithin(10);
    SplittableRandom random = new SplittableRandom(5);
    SimClock[] clocks = new SimClock[5];
    for (int i = 0; i < clocks.length; i++) {
      clocks[i] = new SimClock(model, random.split());
    }
    for (int step = 0; step < 200; step++) {
      long now = step * SECOND;
      clocks[step % clocks.length].jump(now);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (SimClock clock : clocks) {
        long reading = clock.wall(now);
        min = Math.min(min, reading);
        max = Math.max(max, reading);
      }
      assertThat(max - min).isLessThanOrEqualTo(10);
    }
  }

  @Test
  void unsynchronizedDriftAndOffsetStayWithinTheirBounds() {
    ClockModel model = ClockModel.unsynchronized();
    for (int seed = 0; seed < 100; seed++) {
      SimClock clock = new SimClock(model, new SplittableRandom(seed));
      assertThat(Math.abs(clock.drift())).isLessThanOrEqualTo(model.maxDriftPpm() / 1e6);
      assertThat(Math.abs(clock.offsetMillis())).isLessThanOrEqualTo(model.maxSkewMillis());
      long elapsed = clock.wall(100 * SECOND) - ClockModel.EPOCH_MILLIS - clock.offsetMillis();
      assertThat(elapsed).isBetween(99_000L, 101_000L);
    }
  }

  @Test
  void theMonotonicClockNeverGoesBackwardsNorJumpsWhileTheWallClockDoes() {
    SimClock clock = new SimClock(ClockModel.unsynchronized(), new SplittableRandom(1));
    long lastMonotonic = Long.MIN_VALUE;
    boolean wallWentBack = false;
    long lastWall = Long.MIN_VALUE;
    for (int step = 0; step < 1_000; step++) {
      long nanos = step * 10_000_000L;
      if (step % 7 == 0) {
        clock.jump(nanos);
      }
      long monotonic = clock.monotonic(nanos);
      assertThat(monotonic).isGreaterThanOrEqualTo(lastMonotonic);
      if (step > 0) {
        assertThat(monotonic - lastMonotonic).isBetween(9L, 11L); // 10 ms ± 1% drift, rounded
      }
      lastMonotonic = monotonic;
      long wall = clock.wall(nanos);
      wallWentBack |= wall < lastWall;
      lastWall = wall;
    }
    assertThat(wallWentBack).as("the wall clock jumped back at least once").isTrue();
  }

  @Test
  void aWrongClockIsOutsideTheCorrectRangeWhichRemembersRecentSettings() {
    SimClock clock = new SimClock(ClockModel.unsynchronized(), new SplittableRandom(3));
    long window = SECOND;
    long[] before = clock.correctRange(10 * SECOND, window);
    assertThat(before[0]).isEqualTo(before[1]).isEqualTo(clock.wall(10 * SECOND));
    clock.setWrong(10 * SECOND, 3_600_000);
    assertThat(clock.wrong()).isTrue();
    assertThat(clock.wall(10 * SECOND)).isEqualTo(before[0] + 3_600_000);
    long later = 10 * SECOND + window / 2;
    long correct = clock.wall(later) - 3_600_000;
    assertThat(clock.correctRange(later, window))
        .as("the setting before it went wrong is still within the window")
        .containsExactly(correct, correct);
    assertThat(clock.correctRange(12 * SECOND, window)).isNull();
  }

  @Test
  void tickPeriodFollowsTheLocalRate() {
    SimClock clock =
        new SimClock(new ClockModel(false, 0, 100_000, 10, 0), new SplittableRandom(9));
    double localMillisPerTick = clock.tickPeriodNanos() * (1 + clock.drift()) / 1e6;
    assertThat(localMillisPerTick).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.001));
  }
}
