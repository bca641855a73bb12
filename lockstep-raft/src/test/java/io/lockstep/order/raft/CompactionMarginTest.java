package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Ordered;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A compaction margin keeps entries below a snapshot so a short lag needs no InstallSnapshot. */
class CompactionMarginTest {
  /** 20 proposals while replica 3 is down, snapshots on 1 and 2, 5 more, then 3 comes back. */
  private static List<Request> lagBehindSnapshot(Cluster cluster) {
    cluster.makeLeader(1);
    cluster.crash(3);
    List<Request> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(cluster.propose(1, "a" + i));
    }
    cluster.run(100);
    cluster.takeSnapshot(1);
    cluster.takeSnapshot(2);
    for (int i = 0; i < 5; i++) {
      all.add(cluster.propose(1, "b" + i));
    }
    cluster.restart(3);
    cluster.run(300);
    return all;
  }

  @Test
  void followerLaggingWithinTheMarginIsCaughtUpByAppendEntriesNotASnapshot() {
    Cluster cluster = new Cluster(3, c -> c.withCompactionMargin(100), 71);
    List<Request> all = lagBehindSnapshot(cluster);
    Cluster.Node lagging = cluster.node(3);
    assertThat(lagging.installs).isEmpty();
    assertThat(lagging.stable).extracting(Ordered::request).containsSubsequence(all);
    assertThat(cluster.raft(3).status().commitIndex())
        .isEqualTo(cluster.raft(1).status().commitIndex());
  }

  @Test
  void followerLaggingBeyondTheMarginStillReceivesTheSnapshot() {
    Cluster cluster = new Cluster(3, c -> c.withCompactionMargin(5), 72);
    List<Request> all = lagBehindSnapshot(cluster);
    Cluster.Node lagging = cluster.node(3);
    long snapshotIndex = cluster.raft(1).status().snapshotIndex();
    assertThat(lagging.installs).singleElement()
        .satisfies(s -> assertThat(s.index()).isEqualTo(snapshotIndex));
    assertThat(lagging.stable).extracting(Ordered::request)
        .containsExactlyElementsOf(all.subList(20, 25));
  }

  @Test
  void snapshotIndexIsTheSnapshotsAndStorageStillDropsEveryEntryBelowIt() {
    Cluster cluster = new Cluster(3, c -> c.withCompactionMargin(100), 73);
    cluster.makeLeader(1);
    for (int i = 0; i < 10; i++) {
      cluster.propose(1, "s" + i);
    }
    cluster.run(100);
    Ordered last = cluster.node(1).stable.get(cluster.node(1).stable.size() - 1);
    cluster.takeSnapshot(1);
    assertThat(cluster.raft(1).status().snapshotIndex()).isEqualTo(last.position());
    assertThat(cluster.node(1).lastReady.writes()).singleElement()
        .isInstanceOf(StorageWrite.SaveSnapshot.class);
    assertThat(cluster.raft(1).log().snapshotIndex()).isZero();
  }

  @Test
  void negativeMarginIsRefused() {
    assertThatThrownBy(() -> RaftConfig.defaults(1, Nodes.THREE).withCompactionMargin(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compactionMargin must not be negative");
  }
}
