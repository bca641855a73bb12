package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveHistoryTest {
  private final AtomicLong wall = new AtomicLong(1_000_000);
  private final LiveHistory history = new LiveHistory(1_000, 4, wall::get);

  @Test
  void aBucketShowsItsCountMeanAndLargestLatencyOnceItIsComplete() {
    history.write(2_000_000);
    history.write(4_000_000);
    history.read(500_000);
    assertThat(history.series().writes()).as("the current bucket is not shown yet")
        .containsExactly(0, 0, 0);
    wall.addAndGet(1_000);
    LiveHistory.Series s = history.series();
    assertThat(s.writes()).containsExactly(0, 0, 2);
    assertThat(s.writeMeanMicros()).containsExactly(0, 0, 3_000);
    assertThat(s.writeMaxMicros()).containsExactly(0, 0, 4_000);
    assertThat(s.reads()).containsExactly(0, 0, 1);
    assertThat(s.readMeanMicros()).containsExactly(0, 0, 500);
    assertThat(s.end()).isEqualTo(1_001_000);
    assertThat(s.bucketMillis()).isEqualTo(1_000);
  }

  @Test
  void bucketsOlderThanTheRingAreForgottenNotAddedToNewerOnes() {
    history.write(1_000);
    wall.addAndGet(1_000);
    history.write(1_000);
    history.write(1_000);
    wall.addAndGet(1_000);
    assertThat(history.series().writes()).containsExactly(0, 1, 2);
    wall.addAndGet(4_000); // the ring's slots are reused for newer buckets
    history.write(1_000);
    wall.addAndGet(1_000);
    assertThat(history.series().writes()).containsExactly(0, 0, 1);
  }

  @Test
  void aQuietPeriodShowsZerosBetweenBusyBuckets() {
    history.read(1_000);
    wall.addAndGet(2_000);
    history.read(1_000);
    wall.addAndGet(1_000);
    assertThat(history.series().reads()).containsExactly(1, 0, 1);
  }

  @Test
  void onlyTheNewestLeaderChangesAreKeptOldestFirst() {
    for (int term = 1; term <= LiveHistory.LEADER_CHANGES + 3; term++) {
      wall.addAndGet(10);
      history.leaderChanged(term, term % 3);
    }
    var changes = history.leaderChanges();
    assertThat(changes).hasSize(LiveHistory.LEADER_CHANGES);
    assertThat(changes.get(0).term()).isEqualTo(4);
    assertThat(changes.get(changes.size() - 1).term()).isEqualTo(LiveHistory.LEADER_CHANGES + 3);
    assertThat(changes.get(changes.size() - 1).at()).isEqualTo(wall.get());
  }

  @Test
  void theSameLeaderOfTheSameTermSeenAgainIsNotAChange() {
    history.leaderChanged(4, 1);
    history.leaderChanged(4, 1); // e.g. after a failed pre-vote the follower hears it again
    history.leaderChanged(5, 1);
    assertThat(history.leaderChanges()).extracting(LiveHistory.LeaderChange::term)
        .containsExactly(4L, 5L);
  }

  @Test
  void aHistoryNeedsAPositiveWidthAndTwoBuckets() {
    assertThatThrownBy(() -> new LiveHistory(0, 4, wall::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket width");
    assertThatThrownBy(() -> new LiveHistory(1_000, 1, wall::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
