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
      clocks[step % clocks.length].jump();
      long now = step * SECOND;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (SimClock clock : clocks) {
        long reading = clock.read(now);
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
      long elapsed = clock.read(100 * SECOND) - ClockModel.EPOCH_MILLIS - clock.offsetMillis();
      assertThat(elapsed).isBetween(99_000L, 101_000L);
    }
  }

  @Test
  void readingsNeverGoBackwardsEvenAfterABackwardJump() {
    SimClock clock = new SimClock(ClockModel.unsynchronized(), new SplittableRandom(1));
    long last = Long.MIN_VALUE;
    for (int step = 0; step < 1_000; step++) {
      if (step % 7 == 0) {
        clock.jump();
      }
      long reading = clock.read(step * 10_000_000L);
      assertThat(reading).isGreaterThanOrEqualTo(last);
      last = reading;
    }
  }

  @Test
  void tickPeriodFollowsTheLocalRate() {
    SimClock clock = new SimClock(new ClockModel(false, 0, 100_000, 10), new SplittableRandom(9));
    double localMillisPerTick = clock.tickPeriodNanos() * (1 + clock.drift()) / 1e6;
    assertThat(localMillisPerTick).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.001));
  }
}
