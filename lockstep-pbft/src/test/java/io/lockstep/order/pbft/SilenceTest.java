package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The silence count on its own: t+1 reports make evidence, stale reports make none. */
class SilenceTest {
  private static final List<Integer> SEVEN = List.of(0, 1, 2, 3, 4, 5, 6);

  @Test
  void withTwoFaultyAReplicaCountsSilentOnlyForWhatThreeReportersAgreeOn() {
    Silence silence = new Silence(50);
    silence.start();
    for (int peer = 1; peer < 7; peer++) {
      silence.heard(peer, 5_000); // replica 0 itself hears everyone
    }
    silence.report(1, Map.of(6, 9_000L), 5_000);
    silence.report(2, Map.of(6, 4_000L), 5_000);
    // 0 says 0, 1 says 9000, 2 says 4000: only 0 ms is backed by three replicas.
    assertThat(silence.evidenced(SEVEN, 0, 2, 5_000)).containsEntry(6, 0L);
    silence.report(3, Map.of(6, 3_000L), 5_000);
    // 9000, 4000, 3000, 0: three replicas agree on at least 3000 ms.
    assertThat(silence.evidenced(SEVEN, 0, 2, 5_000)).containsEntry(6, 3_000L);
  }

  @Test
  void aReportStopsCountingOnceItsSenderFallsSilent() {
    Silence silence = new Silence(50);
    silence.start();
    silence.heard(3, 0);
    List<Integer> four = List.of(0, 1, 2, 3);
    silence.report(1, Map.of(2, 3_000L), 3_000);
    assertThat(silence.evidenced(four, 0, 1, 3_000)).containsEntry(2, 3_000L);
    long stale = 3_000 + Silence.STALE_PERIODS * 50 + 1;
    silence.heard(2, stale); // 2 is back; 1's old word about it must not outlive 1
    assertThat(silence.evidenced(four, 0, 1, stale)).containsEntry(2, 0L);
  }

  @Test
  void aReplicasReportAboutItselfAndReportsFromOutsideTheConfigurationAreNotAsked() {
    Silence silence = new Silence(50);
    silence.start();
    silence.heard(1, 0);
    List<Integer> four = List.of(0, 1, 2, 3);
    silence.report(3, Map.of(3, 9_000L), 100);
    silence.report(9, Map.of(3, 9_000L), 100);
    // Replica 0 has not heard 3 for 100 ms; neither 3 nor the outsider 9 may add to it.
    assertThat(silence.evidenced(four, 0, 1, 100)).containsEntry(3, 0L);
  }

  @Test
  void silenceCountsFromTheFirstMessageHeardNotFromTheFirstTick() {
    Silence silence = new Silence(50);
    silence.start(); // the runtime ticks before its peer connections are up
    silence.heard(1, 10_000);
    assertThat(silence.own(List.of(0, 1, 2), 0, 10_500)).containsEntry(1, 500L)
        .containsEntry(2, 500L);
  }

  @Test
  void aMemberNeverHeardCountsSilentOnlyAfterTheStartGrace() {
    Silence silence = new Silence(50);
    silence.startGrace(5_000);
    silence.start();
    silence.heard(1, 10_000);
    silence.heard(3, 10_000);
    List<Integer> four = List.of(0, 1, 2, 3);
    // 2 may still be starting; 3, heard once, counts from when it was last heard.
    assertThat(silence.own(four, 0, 14_000)).containsEntry(1, 4_000L).containsEntry(2, 0L)
        .containsEntry(3, 4_000L);
    assertThat(silence.own(four, 0, 16_000)).containsEntry(2, 1_000L);
    silence.heard(2, 16_500);
    assertThat(silence.own(four, 0, 17_000)).containsEntry(2, 500L);
  }

  @Test
  void beforeTheFirstTickNobodyIsSilent() {
    Silence silence = new Silence(50);
    assertThat(silence.own(List.of(0, 1), 0, 10_000)).isEmpty();
    assertThat(silence.evidenced(List.of(0, 1), 0, 0, 10_000)).isEmpty();
  }
}
