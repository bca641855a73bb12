package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Memory bounded in bytes: a leader whose followers cannot keep up refuses proposals as busy
 * once its uncommitted entries fill the budget, instead of growing its log without bound; and
 * the compaction margin keeps at most its byte budget of entries below a snapshot.
 */
class AdmissionTest {
  /** Room for a handful of the 1,000-byte commands below. */
  private static final long BUDGET = 5_000;

  private static String command(int i) {
    return "x".repeat(1_000) + i;
  }

  @Test
  void aLeaderCutOffFromItsFollowersRefusesProposalsAsBusyOnceItsBudgetIsFull() {
    Cluster cluster = new Cluster(3, c -> c.withLogBudgets(BUDGET, 0), 81);
    cluster.makeLeader(1);
    cluster.crash(2);
    cluster.crash(3);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, command(i));
    }
    cluster.run(50);
    List<Ready.Redirect> busy = cluster.node(1).redirects.stream().filter(Ready.Redirect::busy)
        .toList();
    assertThat(busy).hasSizeGreaterThanOrEqualTo(14);
    assertThat(busy).allSatisfy(r -> {
      assertThat(r.leaderHint()).isEqualTo(1);
      assertThat(r.reason()).startsWith("leader busy: ").contains("(limit 5000)");
    });
    assertThat(cluster.raft(1).status().lastIndex()).isLessThanOrEqualTo(7);
  }

  @Test
  void onceFollowersCatchUpTheLeaderTakesProposalsAgainAndEveryAdmittedOneCommits() {
    Cluster cluster = new Cluster(3, c -> c.withLogBudgets(BUDGET, 0), 82);
    cluster.makeLeader(1);
    cluster.crash(2);
    cluster.crash(3);
    List<Request> admitted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      admitted.add(cluster.propose(1, command(i)));
    }
    cluster.run(50);
    List<Request> refused = cluster.node(1).redirects.stream().map(Ready.Redirect::request)
        .toList();
    admitted.removeAll(refused);
    cluster.restart(2);
    cluster.run(500);
    Request later = cluster.propose(1, command(99));
    cluster.run(200);
    assertThat(cluster.node(1).stable).extracting(Ordered::request)
        .containsSubsequence(admitted).contains(later);
  }

  @Test
  void oneRequestLargerThanTheBudgetStillGoesThroughWhenNothingIsUncommitted() {
    Cluster cluster = new Cluster(3, c -> c.withLogBudgets(100, 0), 83);
    cluster.makeLeader(1);
    cluster.run(100);
    Request big = cluster.propose(1, command(1));
    cluster.run(200);
    assertThat(cluster.node(1).stable).extracting(Ordered::request).contains(big);
  }

  @Test
  void theCompactionMarginKeepsAtMostItsBytesBelowASnapshot() {
    Cluster cluster = new Cluster(3, c -> c.withCompactionMargin(1_000)
        .withLogBudgets(RaftConfig.DEFAULT_MAX_UNCOMMITTED_BYTES, 3_500), 84);
    cluster.makeLeader(1);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, command(i));
      cluster.run(20);
    }
    cluster.run(100);
    cluster.takeSnapshot(1);
    RaftLog log = cluster.raft(1).log();
    long kept = cluster.raft(1).status().snapshotIndex() - log.snapshotIndex();
    assertThat(kept).isBetween(1L, 3L); // 1,000-byte commands: three fit in 3,500 bytes
  }
}
