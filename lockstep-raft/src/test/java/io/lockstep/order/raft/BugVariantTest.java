package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Ordered;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The deliberately broken variants really break safety, so checkers can be shown to find them. */
class BugVariantTest {
  @Test
  void commitQuorumOfOneReallyCommitsWithoutAMajority() {
    Cluster cluster = new Cluster(3, c -> c, id -> Raft.Bug.COMMIT_QUORUM_OF_ONE, 91).lenient();
    cluster.makeLeader(1);
    cluster.isolate(1);
    var lonely = cluster.propose(1, "lonely");
    cluster.run(20);
    assertThat(cluster.node(1).stable).extracting(Ordered::request).contains(lonely);
    assertThat(cluster.diskLog(2)).noneMatch(e -> lonely.equals(e.request()));
    // The majority moves on without it: the same position is committed differently.
    cluster.run(1500);
    int leader = cluster.leader();
    assertThat(leader).isIn(2, 3);
    cluster.propose(leader, "other");
    cluster.run(100);
    cluster.heal();
    cluster.run(1000);
    assertThat(cluster.violations()).isNotEmpty();
  }

  @Test
  void theCorrectLeaderDoesNotCommitWithoutAMajority() {
    Cluster cluster = new Cluster(3, 91);
    cluster.makeLeader(1);
    cluster.isolate(1);
    var lonely = cluster.propose(1, "lonely");
    cluster.run(1500);
    assertThat(cluster.node(1).stable).extracting(Ordered::request).doesNotContain(lonely);
    cluster.heal();
    cluster.run(1000);
    assertThat(cluster.violations()).isEmpty();
  }

  @Test
  void commitQuorumOfOneIsFoundUnderRandomPartitions() {
    int failing = 0;
    for (long seed = 1; seed <= 10; seed++) {
      Cluster cluster = new Cluster(3, c -> c, id -> Raft.Bug.COMMIT_QUORUM_OF_ONE, seed)
          .lenient();
      for (int round = 0; round < 5; round++) {
        int leader = cluster.awaitLeader();
        cluster.propose(leader, "r" + round);
        cluster.partition(Set.of(leader));
        cluster.propose(leader, "s" + round);
        cluster.run(1200);
        cluster.propose(cluster.awaitLeader(), "t" + round);
        cluster.run(100);
        cluster.heal();
        cluster.run(600);
      }
      failing += cluster.violations().isEmpty() ? 0 : 1;
    }
    assertThat(failing).isPositive();
  }
}
