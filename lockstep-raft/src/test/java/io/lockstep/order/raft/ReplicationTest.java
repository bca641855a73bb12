package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Log replication rules (§3.5, §3.6, §10.2) and agreed time. */
class ReplicationTest {
  @Test
  void logMatchingOverwritesConflictingSuffix() {
    Cluster cluster = new Cluster(3, 21);
    cluster.makeLeader(1);
    cluster.partition(Set.of(1));
    Request x = cluster.propose(1, "x");
    Request y = cluster.propose(1, "y");
    cluster.run(1500);
    int newLeader = cluster.leader();
    assertThat(newLeader).isIn(2, 3);
    Request z = cluster.propose(newLeader, "z");
    cluster.run(200);
    assertThat(cluster.diskLog(1)).extracting(LogEntry::request).contains(x, y);
    cluster.heal();
    cluster.run(1500);
    for (Cluster.Node node : cluster.nodes()) {
      assertThat(cluster.diskLog(node.id)).isEqualTo(cluster.diskLog(newLeader));
      assertThat(node.stable).extracting(Ordered::request).contains(z).doesNotContain(x, y);
    }
  }

  @Test
  void followerRejectsAppendWhoseConsistencyCheckFailsAndHintsWhereToResume() {
    Raft follower = Nodes.withLog(1, 3, 1, 1, 2, 2, 2);
    Ready ready = Nodes.receive(follower, 2,
        new RaftMessage.AppendEntries(3, 5, 3, List.of(), 0));
    assertThat(Nodes.sent(ready, RaftMessage.AppendEntriesResponse.class))
        .as("entries of term 2 cannot match a term-3 prefix; term 1 ends at 2")
        .containsExactly(new RaftMessage.AppendEntriesResponse(3, false, 5, 5, 2, Cluster.EPOCH));
    Ready shorter = Nodes.receive(follower, 2,
        new RaftMessage.AppendEntries(3, 9, 3, List.of(), 0));
    assertThat(Nodes.sent(shorter, RaftMessage.AppendEntriesResponse.class))
        .containsExactly(new RaftMessage.AppendEntriesResponse(3, false, 9, 5, 2, Cluster.EPOCH));
  }

  @Test
  void duplicatedAppendNeverTruncatesAcceptedEntries() {
    Raft follower = Nodes.withLog(1, 2, 1, 2);
    LogEntry three = new LogEntry(3, 2, 3, null);
    LogEntry four = new LogEntry(4, 2, 4, null);
    Nodes.receive(follower, 2, new RaftMessage.AppendEntries(2, 2, 2, List.of(three, four), 0));
    Ready stale = Nodes.receive(follower, 2, new RaftMessage.AppendEntries(2, 2, 2, List.of(three), 0));
    assertThat(follower.status().lastIndex()).isEqualTo(4);
    assertThat(stale.writes()).isEmpty();
  }

  /**
   * Figure 3.7 (Figure 8 of the Raft paper), with no-ops: S1 replicates its term-t1 entry to a
   * majority in a later term but must not commit it, because S5 can still be elected and
   * overwrite it.
   */
  @Test
  void leaderNeverCommitsEarlierTermEntryByCounting() {
    Cluster cluster = figure8(Raft.Bug.NONE);
    assertThat(cluster.violations()).isEmpty();
    assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.stable).extracting(Ordered::request)
        .noneMatch(r -> new String(r.command()).equals("x")));
  }

  @Test
  void countingEarlierTermReplicasWouldLoseACommittedEntry() {
    Cluster cluster = figure8(Raft.Bug.COMMIT_EARLIER_TERM_BY_COUNTING);
    assertThat(cluster.violations())
        .anyMatch(v -> v.matches("position \\d+ committed as Request.* earlier but as a no-op.*"));
  }

  private Cluster figure8(Raft.Bug bug) {
    Cluster cluster = new Cluster(5, c -> c.withElectionSafeguards(false, false),
        id -> id == 1 ? bug : Raft.Bug.NONE, 8).lenient();
    cluster.makeLeader(1);
    // (a) S1 replicates x only to S2.
    cluster.dropWhen(e -> e.from() == 1 && e.to() != 2
        && e.message() instanceof RaftMessage.AppendEntries);
    cluster.propose(1, "x");
    cluster.deliverAll();
    long k = cluster.raft(1).status().lastIndex();
    assertThat(cluster.raft(2).status().lastIndex()).isEqualTo(k);
    cluster.crash(1);
    // (b) S5 wins term t2 with S3 and S4, appends its no-op at k, which reaches nobody.
    cluster.heal();
    cluster.dropWhen(e -> e.from() == 5 && e.message() instanceof RaftMessage.AppendEntries);
    cluster.campaignUntilLeader(5);
    cluster.crash(5);
    figure8RestartS1(cluster, k, bug);
    // (d) S1 crashes; S5 restarts and wins with S2, S3, S4: its log has a newer last term.
    cluster.crash(1);
    cluster.heal();
    cluster.restart(5);
    cluster.campaignUntilLeader(5);
    cluster.run(500);
    assertThat(cluster.raft(5).status().commitIndex()).isGreaterThan(k);
    return cluster;
  }

  /**
   * (c) S1 restarts, wins a later term, and gets x (only x) to S3 and S4: x is on 4 of 5.
   * Followers do not learn S1's commit index before S1 crashes again.
   */
  private void figure8RestartS1(Cluster cluster, long k, Raft.Bug bug) {
    cluster.heal();
    cluster.restart(1);
    cluster.dropWhen(e -> e.from() == 1 && e.message() instanceof RaftMessage.Heartbeat);
    cluster.rewriteWith(e -> e.from() == 1 && e.message() instanceof RaftMessage.AppendEntries a
        ? new Cluster.Envelope(1, e.to(), upTo(a, k)) : e);
    cluster.campaignUntilLeader(1);
    for (int i = 0; i < 5; i++) {
      cluster.advanceNode(1, 50);
    }
    assertThat(cluster.raft(3).status().lastIndex()).isEqualTo(k);
    if (bug == Raft.Bug.NONE) {
      assertThat(cluster.raft(1).status().commitIndex()).as("x is not committed").isLessThan(k);
    } else {
      assertThat(cluster.raft(1).status().commitIndex()).as("x is committed").isEqualTo(k);
    }
  }

  private static RaftMessage.AppendEntries upTo(RaftMessage.AppendEntries a, long k) {
    List<LogEntry> kept = a.entries().stream().filter(e -> e.index() <= k).toList();
    return new RaftMessage.AppendEntries(a.term(), a.prevLogIndex(), a.prevLogTerm(), kept,
        Math.min(a.leaderCommit(), k - 1));
  }

  @Test
  void leaderCompletenessAfterCrashAndRestart() {
    Cluster cluster = new Cluster(3, 31);
    int leader = cluster.awaitLeader();
    List<Request> committed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      committed.add(cluster.propose(leader, "c" + i));
    }
    // The leader commits the last one and crashes before anyone else learns that.
    Request last = cluster.propose(leader, "acknowledged");
    cluster.deliverQueued();
    cluster.deliverQueued();
    assertThat(cluster.node(leader).stable).extracting(Ordered::request).contains(last);
    committed.add(last);
    for (Cluster.Node node : cluster.nodes()) {
      cluster.crash(node.id);
    }
    for (Cluster.Node node : cluster.nodes()) {
      if (node.id != leader) {
        cluster.restart(node.id);
        node.stable.clear();
      }
    }
    int next = cluster.awaitLeader();
    cluster.run(300);
    assertThat(next).isNotEqualTo(leader);
    for (Cluster.Node node : cluster.nodes()) {
      if (node.id != leader) {
        assertThat(node.stable).extracting(Ordered::request).containsExactlyElementsOf(committed);
      }
    }
  }

  @Test
  void pipeliningKeepsSeveralAppendsInFlight() {
    Cluster cluster = new Cluster(3, c -> c.withFlowControl(2, 4), 41);
    cluster.makeLeader(1);
    List<Input> proposals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      proposals.add(new Input.Propose(cluster.request("p" + i)));
    }
    long last = cluster.raft(1).status().lastIndex();
    cluster.stepAll(1, proposals);
    List<RaftMessage.AppendEntries> toTwo = cluster.inFlight().stream()
        .filter(e -> e.to() == 2).map(Cluster.Envelope::message)
        .filter(RaftMessage.AppendEntries.class::isInstance)
        .map(RaftMessage.AppendEntries.class::cast).toList();
    assertThat(toTwo).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(toTwo.get(i).prevLogIndex()).isEqualTo(last + 2L * i);
      assertThat(toTwo.get(i).entries()).hasSize(2);
    }
    assertThat(cluster.raft(1).replication().progress(2).inflightCount()).isEqualTo(4);
    cluster.deliverAll();
    assertThat(cluster.raft(2).status().commitIndex()).isEqualTo(last + 20);
  }

  @Test
  void batchingPutsManyProposalsInOneWriteAndOneAppendPerFollower() {
    Cluster cluster = new Cluster(3, 42);
    cluster.makeLeader(1);
    List<Input> proposals = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      proposals.add(new Input.Propose(cluster.request("b" + i)));
    }
    cluster.stepAll(1, proposals);
    Ready ready = cluster.node(1).lastReady;
    assertThat(ready.writes()).hasSize(1).first()
        .isInstanceOfSatisfying(StorageWrite.Append.class, a -> assertThat(a.entries()).hasSize(100));
    assertThat(Nodes.sentTo(ready, 2, RaftMessage.AppendEntries.class)).hasSize(1)
        .allMatch(a -> a.entries().size() == 100);
    cluster.deliverAll();
    cluster.run(100);
    assertThat(cluster.node(3).stable).hasSize(100);
  }

  @Test
  void leaderSendsHeartbeatsEveryHeartbeatInterval() {
    Cluster cluster = new Cluster(3, 43);
    cluster.makeLeader(1);
    AtomicInteger heartbeats = new AtomicInteger();
    cluster.dropWhen(e -> {
      if (e.from() == 1 && e.to() == 2 && e.message() instanceof RaftMessage.Heartbeat) {
        heartbeats.incrementAndGet();
      }
      return false;
    });
    cluster.run(1000);
    assertThat(heartbeats.get()).isBetween(19, 21);
  }

  @Test
  void followerCommitsOnlyEntriesVerifiedAgainstTheLeader() {
    Raft follower = Nodes.withLog(1, 2, 1, 1, 1);
    Ready ready = Nodes.receive(follower, 2, new RaftMessage.AppendEntries(2, 1, 1, List.of(), 3));
    assertThat(follower.status().commitIndex()).as("entries 2..3 are not verified yet").isEqualTo(1);
    assertThat(ready.stable()).extracting(Ordered::position).containsExactly(1L);
  }

  @Test
  void agreedTimeNeverGoesBackwardsAcrossLeaderChange() {
    // The first leader stamps its own clock, which runs far ahead (a time later leaders may
    // only catch up with, never undo).
    Cluster cluster = new Cluster(3, c -> c,
        id -> id == 1 ? Raft.Bug.TIME_FROM_LEADER_CLOCK : Raft.Bug.NONE, 44);
    cluster.makeLeader(1);
    cluster.node(1).wallOffset = 10_000;
    cluster.run(20);
    cluster.propose(1, "early");
    cluster.run(100);
    long earlyTime = cluster.node(2).stable.get(0).time();
    assertThat(earlyTime).isGreaterThanOrEqualTo(cluster.node(2).clock + 9_000);
    cluster.step(1, new Input.TransferLeadership(2));
    cluster.run(600);
    assertThat(cluster.leader()).isEqualTo(2);
    cluster.propose(2, "later");
    cluster.run(100);
    for (Cluster.Node node : cluster.nodes()) {
      assertThat(node.stable).hasSize(2);
      assertThat(node.stable.get(1).time()).isGreaterThanOrEqualTo(earlyTime);
    }
  }
}
