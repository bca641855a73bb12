package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Role;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A follower that needs entries whose payloads left the leader's memory gets them as the
 * runtime reads them back from stable storage ({@link LogReads}): one read in flight per
 * follower, stale answers dropped, failed reads retried or replaced by the snapshot, and
 * entries that do not match the log never sent.
 */
class LogReadTest {
  /** Room for about four of the test's entries. */
  private static final long BUDGET =
      4 * RaftLog.sizeOf(Request.command(Cluster.CLIENT, 1, new byte[1_003]));

  private static Cluster cluster(long seed) {
    Cluster cluster = new Cluster(3, c -> c.withLogCacheBytes(BUDGET), seed);
    cluster.makeLeader(1);
    return cluster;
  }

  /** Follower 3 misses {@code count} entries of about 1 KB while the other two commit them. */
  private static List<Request> missedBy3(Cluster cluster, int count) {
    cluster.isolate(3);
    List<Request> proposed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      proposed.add(cluster.propose(1, "x".repeat(1_000) + (100 + i)));
      cluster.run(20);
    }
    assertThat(cluster.raft(1).log().cachedFrom()).isGreaterThan(count - 10);
    return proposed;
  }

  private static List<Request> applied(Cluster cluster, int id) {
    return cluster.node(id).stable.stream().map(Ordered::request).toList();
  }

  @Test
  void aFollowerBehindTheCacheCatchesUpFromEntriesReadBackNotFromASnapshot() {
    Cluster cluster = cluster(81);
    List<Request> proposed = missedBy3(cluster, 40);
    cluster.heal();
    cluster.run(1_000);
    assertThat(applied(cluster, 3)).containsAll(proposed);
    assertThat(cluster.node(3).installs).as("no snapshot was sent").isEmpty();
    LogReads reads = cluster.raft(1).logReads();
    assertThat(reads.entriesSent()).isGreaterThanOrEqualTo(30);
    assertThat(reads.failed()).isZero();
  }

  @Test
  void atMostOneReadIsInFlightPerFollowerWhateverTheHeartbeats() {
    Cluster cluster = cluster(82).holdReads();
    List<Request> proposed = missedBy3(cluster, 30);
    cluster.heal();
    cluster.run(250); // five heartbeats, below the election timeout that forgets a read
    assertThat(cluster.node(1).readsAsked).hasSize(1);
    assertThat(cluster.raft(1).logReads().inFlight(3)).isTrue();
    for (int round = 0; round < 50 && !applied(cluster, 3).containsAll(proposed); round++) {
      cluster.answerReads(1);
      cluster.run(20);
      assertThat(cluster.node(1).readsAsked.size()).isLessThanOrEqualTo(1);
    }
    assertThat(applied(cluster, 3)).containsAll(proposed);
    assertThat(cluster.node(3).installs).isEmpty();
  }

  @Test
  void anAnswerFromAnEarlierLeadershipIsDroppedAsStale() {
    Cluster cluster = cluster(83).holdReads();
    missedBy3(cluster, 30);
    cluster.heal();
    cluster.run(100);
    assertThat(cluster.node(1).readsAsked).hasSize(1);
    cluster.step(1, new Input.TransferLeadership(2));
    cluster.run(200);
    assertThat(cluster.raft(2).role()).isEqualTo(Role.LEADER);
    cluster.step(2, new Input.TransferLeadership(1));
    cluster.run(200);
    assertThat(cluster.raft(1).role()).isEqualTo(Role.LEADER);
    long sentBefore = cluster.raft(1).logReads().entriesSent();
    long droppedBefore = cluster.raft(1).dropped();
    // The read asked in the first leadership is answered now, in the third, with the right
    // entries: it is still not used.
    Cluster.Node leader = cluster.node(1);
    var old = leader.readsAsked.pollFirst();
    cluster.step(1, new Input.EntriesRead(old.readId(), Cluster.stored(leader, old), null));
    assertThat(cluster.raft(1).dropped()).isEqualTo(droppedBefore + 1);
    assertThat(cluster.raft(1).lastDropReason()).contains("asked by an earlier leadership");
    assertThat(cluster.raft(1).logReads().entriesSent()).isEqualTo(sentBefore);
  }

  @Test
  void aFailedReadIsAskedAgainAndTheFollowerStillCatchesUpWithoutASnapshot() {
    Cluster cluster = cluster(84);
    List<Request> proposed = missedBy3(cluster, 30);
    AtomicInteger failures = new AtomicInteger(3);
    cluster.node(1).readFault = r -> failures.getAndDecrement() > 0
        ? "Input/output error (injected)" : null;
    cluster.heal();
    cluster.run(1_500);
    assertThat(cluster.raft(1).logReads().failed()).isEqualTo(3);
    assertThat(cluster.raft(1).lastDropReason()).isNotEmpty();
    assertThat(applied(cluster, 3)).containsAll(proposed);
    assertThat(cluster.node(3).installs).isEmpty();
  }

  @Test
  void aFailedReadSendsTheSnapshotWhenOneCoversWhatTheFollowerLacks() {
    Cluster cluster = new Cluster(3, c -> c.withLogCacheBytes(BUDGET).withCompactionMargin(1_000),
        85);
    cluster.makeLeader(1);
    List<Request> proposed = missedBy3(cluster, 30);
    cluster.takeSnapshot(1);
    assertThat(cluster.raft(1).log().snapshotIndex())
        .as("the margin keeps the entries below the snapshot in the log").isLessThan(5);
    cluster.node(1).readFault = r -> "checksum mismatch (injected)";
    cluster.heal();
    cluster.run(1_500);
    assertThat(cluster.node(3).installs).isNotEmpty();
    assertThat(applied(cluster, 3).size() + cluster.node(3).installs.get(0).index())
        .isGreaterThanOrEqualTo(proposed.size());
  }

  @Test
  void entriesReadBackThatAreNotTheLogsOwnAreNeverSent() {
    Cluster cluster = cluster(86);
    List<Request> proposed = missedBy3(cluster, 30);
    cluster.node(1).readRewrite = entries -> entries.stream()
        .map(e -> new LogEntry(e.index(), e.term() + 1, e.time(), e.request())).toList();
    cluster.heal();
    cluster.run(600);
    int before = cluster.node(3).stable.size();
    assertThat(cluster.raft(1).logReads().entriesSent()).isZero();
    assertThat(cluster.raft(1).logReads().failed()).isPositive();
    assertThat(applied(cluster, 3)).doesNotContainAnyElementsOf(proposed.subList(0, 10));
    cluster.node(1).readRewrite = entries -> entries;
    cluster.run(1_500);
    assertThat(cluster.node(3).stable.size()).isGreaterThan(before);
    assertThat(applied(cluster, 3)).containsAll(proposed);
  }
}
