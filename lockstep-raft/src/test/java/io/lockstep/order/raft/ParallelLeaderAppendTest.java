package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/**
 * Parallel leader appends (dissertation §10.2.1): the leader's AppendEntries leave before its
 * own writes are durable, so it counts itself toward a commit only up to what the runtime
 * reported with {@link Input.Persisted}.
 */
class ParallelLeaderAppendTest {
  private static Cluster parallelCluster(int n) {
    return new Cluster(n, c -> c.withParallelLeaderAppend(true), 7);
  }

  @Test
  void leaderDoesNotCountItsUnpersistedEntriesTowardCommit() {
    Cluster cluster = parallelCluster(3);
    cluster.makeLeader(1);
    cluster.cutBoth(1, 3);
    long before = cluster.raft(1).status().commitIndex();
    cluster.propose(1, "x");
    long index = cluster.raft(1).status().lastIndex();
    cluster.deliverAll(); // the AppendEntries reaches 2 before 1's fsync
    cluster.sync(2);
    cluster.deliverAll(); // 2 acknowledges after its own fsync
    assertThat(cluster.raft(1).status().commitIndex()).as("1 of 3 durable plus 1 unsynced")
        .isEqualTo(before);
    cluster.sync(1);
    assertThat(cluster.raft(1).status().commitIndex()).as("leader and 2 durable: a majority")
        .isEqualTo(index);
  }

  @Test
  void followersAloneCommitWhileTheLeaderHasNotSynced() {
    Cluster cluster = parallelCluster(3);
    cluster.makeLeader(1);
    cluster.propose(1, "x");
    long index = cluster.raft(1).status().lastIndex();
    cluster.deliverAll();
    cluster.sync(2);
    cluster.sync(3);
    cluster.deliverAll();
    assertThat(cluster.node(1).unsynced).as("the leader has not synced").isNotEmpty();
    assertThat(cluster.raft(1).status().commitIndex()).isEqualTo(index);
  }

  @Test
  void committedEntrySurvivesLeaderCrashBeforeItsFsync() {
    Cluster cluster = parallelCluster(3);
    cluster.makeLeader(1);
    Request x = cluster.propose(1, "x");
    long index = cluster.raft(1).status().lastIndex();
    cluster.deliverAll();
    cluster.sync(2);
    cluster.sync(3);
    cluster.deliverAll();
    assertThat(cluster.raft(1).status().commitIndex()).isEqualTo(index);
    cluster.crash(1);
    assertThat(cluster.diskLog(1)).as("the leader lost its unsynced entry")
        .noneMatch(e -> e.index() == index);
    int leader = cluster.awaitLeader();
    cluster.restart(1);
    cluster.propose(leader, "y");
    cluster.run(1000);
    for (Cluster.Node node : cluster.nodes()) {
      assertThat(node.stable).as("node %d applied x", node.id)
          .anyMatch(o -> o.request().equals(x));
    }
  }

  @Test
  void staleDurabilityReportForATruncatedSuffixIsIgnored() {
    RaftLog log = new RaftLog(0, 0, 0);
    log.append(new io.lockstep.order.LogEntry(1, 1, 0, Request.nullRequest(Cluster.CLIENT, 1)));
    log.append(new io.lockstep.order.LogEntry(2, 1, 0, Request.nullRequest(Cluster.CLIENT, 2)));
    log.truncateFrom(2);
    log.append(new io.lockstep.order.LogEntry(2, 2, 0, Request.nullRequest(Cluster.CLIENT, 3)));
    log.markPersisted(2, 1);
    assertThat(log.persisted()).isZero();
    log.markPersisted(2, 2);
    assertThat(log.persisted()).isEqualTo(2);
    log.truncateFrom(2);
    assertThat(log.persisted()).isEqualTo(1);
  }
}
