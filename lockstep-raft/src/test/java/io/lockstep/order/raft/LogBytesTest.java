package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The whole in-memory log is bounded in bytes, not only in positions: applied entries stay in
 * memory until a snapshot compacts them, so the log asks for a snapshot at half its budget
 * ({@code wantsSnapshot}) and the leader refuses proposals as busy past it until one is taken.
 */
class LogBytesTest {
  /** About 1,100 bytes each, as the log counts them. */
  private static String command(int i) {
    return "x".repeat(1_000) + i;
  }

  private static final long LOG_BUDGET = 20_000;

  private static Cluster cluster(long seed) {
    Cluster cluster = new Cluster(3, c -> c.withLogBudgets(4_000, 0, LOG_BUDGET), seed);
    cluster.makeLeader(1);
    return cluster;
  }

  @Test
  void theLogCountsTheBytesOfExactlyTheEntriesItHolds() {
    SplittableRandom random = new SplittableRandom(5);
    RaftLog log = new RaftLog(0, 0, 0);
    for (int step = 0; step < 2_000; step++) {
      int op = random.nextInt(10);
      if (op < 6 || log.lastIndex() == log.snapshotIndex()) {
        Request request = Request.command(Cluster.CLIENT, step + 1, new byte[random.nextInt(300)]);
        log.append(new LogEntry(log.lastIndex() + 1, 1, step, request));
      } else if (op < 8) {
        log.truncateFrom(random.nextLong(log.snapshotIndex() + 1, log.lastIndex() + 1));
      } else if (op < 9) {
        log.compactTo(random.nextLong(log.snapshotIndex() + 1, log.lastIndex() + 1));
      } else {
        log.resetTo(log.lastIndex() + 3, 1, step);
      }
      long expected = 0;
      for (long i = log.snapshotIndex() + 1; i <= log.lastIndex(); i++) {
        expected += RaftLog.sizeOf(log.entry(i));
      }
      assertThat(log.bytes()).as("after step %d", step).isEqualTo(expected);
    }
  }

  @Test
  void aLeaderWhoseLogIsFullOfAppliedEntriesRefusesProposalsUntilASnapshotCompactsIt() {
    Cluster cluster = cluster(61);
    List<Request> proposed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      proposed.add(cluster.propose(1, command(i)));
      cluster.run(20);
    }
    List<Ready.Redirect> busy = cluster.node(1).redirects.stream().filter(Ready.Redirect::busy)
        .toList();
    assertThat(busy).isNotEmpty().allSatisfy(r -> assertThat(r.reason())
        .contains("in-memory log holds").contains("(limit " + LOG_BUDGET + ")"));
    assertThat(cluster.raft(1).log().bytes()).isLessThanOrEqualTo(LOG_BUDGET);

    cluster.takeSnapshot(1);
    assertThat(cluster.raft(1).log().bytes()).isZero();
    Request after = cluster.propose(1, command(99));
    cluster.run(200);
    assertThat(cluster.node(1).stable).extracting(Ordered::request).contains(after);
  }

  @Test
  void theLogAsksForASnapshotAtHalfItsBudgetAndNotAgainUntilMoreIsApplied() {
    Cluster cluster = cluster(62);
    int proposed = 0;
    while (cluster.raft(1).log().bytes() < LOG_BUDGET / 2) {
      assertThat(cluster.raft(1).wantsSnapshot()).isFalse();
      cluster.propose(1, command(proposed++));
      cluster.run(20);
    }
    assertThat(cluster.raft(1).wantsSnapshot()).isTrue();
    assertThat(cluster.raft(2).wantsSnapshot()).as("a follower compacts its own log too")
        .isTrue();
    cluster.takeSnapshot(1);
    assertThat(cluster.raft(1).wantsSnapshot()).isFalse();
  }

  @Test
  void aBudgetThatTheMarginAndUncommittedEntriesAloneWouldFillIsRefused() {
    assertThatThrownBy(() -> RaftConfig.defaults(1, Nodes.THREE).withLogBudgets(6_000, 4_000,
        20_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must stay below half of maxLogBytes (20000)");
  }
}
