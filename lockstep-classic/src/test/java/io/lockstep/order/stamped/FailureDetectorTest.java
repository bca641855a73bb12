package io.lockstep.order.stamped;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure detection by silence, and the replica that has not started yet. */
class FailureDetectorTest {
  @Test
  void aReplicaNeverHeardFromIsGivenTheStartTimeoutNotTheFailureTimeout() {
    FailureDetector d = new FailureDetector(0, List.of(0, 1, 2), 300, 3_000);
    for (long now = 0; now <= 3_000; now += 10) {
      d.tick(now);
      if (now == 100) {
        d.heard(1);
      }
    }
    assertThat(d.suspected()).as("1 fell silent after it spoke; 2 may still be starting")
        .containsExactly(1);
    assertThat(d.tick(3_010)).as("2 did not start within the start timeout").containsExactly(2);
  }

  @Test
  void aReplicaAnotherOneHeardIsTimedFromThen() {
    FailureDetector d = new FailureDetector(0, List.of(0, 1, 2), 300, 3_000);
    for (long now = 0; now <= 1_000; now += 10) {
      assertThat(d.tick(now)).as("not heard of yet").isEmpty();
    }
    d.started(2);
    for (long now = 1_010; now <= 1_300; now += 10) {
      assertThat(d.tick(now)).isEmpty();
    }
    assertThat(d.tick(1_310)).containsExactly(2);
  }

  @Test
  void aReplicaSilentPastTheTimeoutIsSuspectedButNotBefore() {
    FailureDetector d = new FailureDetector(0, List.of(0, 1), 300, 3_000);
    d.tick(0);
    d.heard(1);
    for (long now = 10; now <= 300; now += 10) {
      assertThat(d.tick(now)).isEmpty();
    }
    assertThat(d.tick(310)).containsExactly(1);
  }

  @Test
  void thisReplicasOwnStallIsNotTheOthersSilence() {
    FailureDetector d = new FailureDetector(0, List.of(0, 1), 300, 3_000);
    d.tick(0);
    d.heard(1);
    assertThat(d.tick(1_000)).as("a 1 s gap between our own ticks").isEmpty();
    for (long now = 1_010; now <= 1_300; now += 10) {
      assertThat(d.tick(now)).isEmpty();
    }
    assertThat(d.tick(1_310)).containsExactly(1);
  }
}
