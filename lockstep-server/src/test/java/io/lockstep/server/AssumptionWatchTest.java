package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.TimingAssumptions;
import io.lockstep.server.AssumptionWatch.Kind;
import java.util.List;
import java.util.OptionalLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The run-time watch of a protocol's delay and skew bounds, fed hand-made probe readings. */
class AssumptionWatchTest {
  private static final TimingAssumptions DELAY_100 = new TimingAssumptions(100, OptionalLong.empty());
  private static final TimingAssumptions DELAY_100_SKEW_5 = new TimingAssumptions(100,
      OptionalLong.of(5));

  /** Every peer's first echo, which only proves the connection. */
  private static AssumptionWatch connected(AssumptionWatch watch) {
    watch.echoed(2, 0, 0, 0);
    watch.echoed(3, 0, 0, 0);
    return watch;
  }

  @Test
  void aPeerNotHeardYetIsReportedAndProbesSentBeforeItsFirstEchoAreNotJudged() {
    AssumptionWatch watch = new AssumptionWatch(1, List.of(2, 3), DELAY_100);
    assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("replica(s) [2, 3] have not answered a clock probe yet"));
    watch.echoed(2, 1_000, 9_000, 9_001); // waited 8 s for the connection: not a delay
    watch.echoed(2, 1_200, 9_000, 9_001); // sent before that first echo came back: neither
    watch.echoed(3, 1_000, 1_001, 1_002);
    assertThat(watch.problem()).isEmpty();
    assertThat(watch.violations(Kind.DELAY)).isZero();
    watch.echoed(2, 9_100, 9_400, 9_700);
    assertThat(watch.violations(Kind.DELAY)).as("judged once connected").isEqualTo(1);
  }

  @Test
  void aSampleBoundsTheSkewWithoutAssumingSymmetricDelays() {
    // Sent at 1000, the peer read 1510, back at 1020: the peer's clock is at least 490 ahead.
    ClockSample ahead = ClockSample.of(1_000, 1_510, 1_020).orElseThrow();
    assertThat(ahead.roundTripMillis()).isEqualTo(20);
    assertThat(ahead.skewAtLeastMillis()).isEqualTo(490);
    assertThat(ClockSample.of(1_000, 480, 1_020).orElseThrow().skewAtLeastMillis())
        .as("behind by at least 520").isEqualTo(520);
    assertThat(ClockSample.of(1_000, 1_010, 1_020).orElseThrow().skewAtLeastMillis())
        .as("readings that allow equal clocks").isZero();
    assertThat(ClockSample.of(1_000, 1_010, 990)).as("this clock stepped back").isEmpty();
  }

  @Test
  void aRoundTripAboveTwiceTheDelayBoundIsReportedUntilAGoodSampleComes() {
    AssumptionWatch watch = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100));
    watch.echoed(2, 1_000, 1_050, 1_100);
    assertThat(watch.problem()).isEmpty();
    watch.echoed(2, 2_000, 2_150, 2_300); // round trip 300: one way took at least 150
    assertThat(watch.violations(Kind.DELAY)).isEqualTo(1);
    assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("replica 2 took at least 150 ms", "max delay 100 ms", "round trip 300 ms"));
    watch.echoed(2, 3_000, 3_150, 3_300);
    assertThat(watch.violations(Kind.DELAY)).as("counted per sample").isEqualTo(2);
    watch.echoed(2, 4_000, 4_010, 4_020);
    assertThat(watch.problem()).as("cleared by a sample within the bound").isEmpty();
    assertThat(watch.violations(Kind.SKEW)).isZero();
  }

  @Test
  void skewIsJudgedOnlyWhereTheProtocolAssumesABound() {
    AssumptionWatch logical = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100));
    logical.echoed(2, 1_000, 1_510, 1_020); // 490 ms ahead, 20 ms round trip
    assertThat(logical.problem()).as("logical clocks need no synchronized clocks").isEmpty();

    AssumptionWatch realTime = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100_SKEW_5));
    realTime.echoed(2, 1_000, 1_510, 1_020);
    assertThat(realTime.violations(Kind.SKEW)).isEqualTo(1);
    assertThat(realTime.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("replica 2's clock differs from this one's by at least 490 ms",
            "assumed skew 5 ms"));
    // Under a skew bound a one-way reading of 510 means that way took at least 505 ms.
    assertThat(realTime.violations(Kind.DELAY)).isEqualTo(1);
  }

  @Test
  void aSkewWithinTheBoundAndItsRoundTripUncertaintyIsNoViolation() {
    AssumptionWatch watch = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100_SKEW_5));
    watch.echoed(2, 1_000, 1_012, 1_020); // θ between −8 and 12: may be 0
    watch.echoed(3, 1_000, 1_004, 1_002); // θ between 2 and 4
    assertThat(watch.problem()).isEmpty();
    assertThat(watch.violations(Kind.SKEW)).isZero();
  }

  @Test
  void aBrokenAssumptionTheProtocolReportsIsCountedAndStaysUntilRestart() {
    AssumptionWatch watch = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100));
    watch.protocolReported("replica 1: broadcast from 2 delivered after 2 was declared failed");
    watch.echoed(2, 1_000, 1_010, 1_020); // good samples do not clear it
    assertThat(watch.violations(Kind.ORDER)).isEqualTo(1);
    assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("order may differ", "after 2 was declared failed"));
  }

  @Test
  void aBrokenAssumptionIsLoggedAsAssumptionViolatedAndARepairAsRestored() {
    try (LogCapture log = new LogCapture(AssumptionWatch.class)) {
      AssumptionWatch watch = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100));
      watch.echoed(2, 2_000, 2_150, 2_300); // one way took at least 150 ms
      watch.protocolReported("replica 1: broadcast from 2 delivered after 2 was declared failed");
      assertThat(log.lines(Level.WARNING)).containsExactly(
          "event=assumption_violated replica=1 peer=2 kind=delay observed_ms=150 bound_ms=100"
              + " round_trip_ms=300 reason=\"a message to or from replica 2 took at least 150"
              + " ms, above the assumed max delay 100 ms (round trip 300 ms)\"",
          "event=assumption_violated replica=1 kind=order reason=\"replica 1: broadcast from 2"
              + " delivered after 2 was declared failed\"");
      watch.protocolRepaired("replica 1: every replica it declared failed while that replica"
          + " still ran has halted and been readmitted");
      assertThat(log.lines(Level.INFO)).last().asString().startsWith(
          "event=assumption_restored replica=1 kind=order reason=\"replica 1: every replica");
      assertThat(watch.problem()).as("only the delay report is left").hasValueSatisfying(p ->
          assertThat(p).contains("took at least 150 ms").doesNotContain("order may differ"));
      assertThat(watch.violations(Kind.ORDER)).as("the count stays").isEqualTo(1);
    }
  }

  @Test
  void aRepairWithoutAReportChangesNothing() {
    AssumptionWatch watch = connected(new AssumptionWatch(1, List.of(2, 3), DELAY_100));
    watch.protocolRepaired("nothing was broken");
    assertThat(watch.problem()).isEmpty();
  }

  @Test
  void withoutTimingAssumptionsNothingIsWatched() {
    AssumptionWatch none = new AssumptionWatch(1, List.of(2), null);
    none.echoed(2, 1_000, 90_000, 50_000);
    assertThat(none.watching()).isFalse();
    assertThat(none.problem()).isEmpty();
  }
}
