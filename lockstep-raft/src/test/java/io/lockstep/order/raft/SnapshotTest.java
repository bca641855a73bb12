package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots, compaction and InstallSnapshot (§5, X2). */
class SnapshotTest {
  @Test
  void snapshotTakenPersistsTermAndTimeAndCompactsTheLog() {
    Cluster cluster = new Cluster(3, 61);
    cluster.makeLeader(1);
    for (int i = 0; i < 10; i++) {
      cluster.propose(1, "s" + i);
    }
    cluster.run(100);
    Cluster.Node node = cluster.node(2);
    Ordered last = node.stable.get(node.stable.size() - 1);
    cluster.takeSnapshot(2);
    Ready ready = node.lastReady;
    assertThat(ready.writes()).singleElement()
        .isInstanceOfSatisfying(StorageWrite.SaveSnapshot.class, s -> {
          assertThat(s.snapshot().index()).isEqualTo(last.position());
          assertThat(s.snapshot().term()).isEqualTo(cluster.raft(1).status().term());
          assertThat(s.snapshot().time()).isEqualTo(last.time());
          assertThat(s.snapshot().members()).containsExactly(1, 2, 3);
        });
    assertThat(cluster.raft(2).status().snapshotIndex()).isEqualTo(last.position());
    assertThat(node.disk).isEmpty();
  }

  @Test
  void laggingFollowerReceivesInstallSnapshotAfterCompaction() {
    Cluster cluster = new Cluster(3, 62);
    cluster.makeLeader(1);
    cluster.crash(3);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, "a" + i);
    }
    cluster.run(100);
    cluster.takeSnapshot(1);
    cluster.takeSnapshot(2);
    long snapshotIndex = cluster.raft(1).status().snapshotIndex();
    List<Request> after = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      after.add(cluster.propose(1, "b" + i));
    }
    cluster.restart(3);
    cluster.run(300);
    Cluster.Node lagging = cluster.node(3);
    assertThat(lagging.installs).singleElement()
        .satisfies(s -> assertThat(s.index()).isEqualTo(snapshotIndex));
    assertThat(lagging.snapshot.index()).isEqualTo(snapshotIndex);
    assertThat(lagging.stable).extracting(Ordered::request).containsExactlyElementsOf(after);
    assertThat(cluster.raft(3).status().commitIndex()).isEqualTo(cluster.raft(1).status().commitIndex());
  }

  @Test
  void recoveredSnapshotIsNotDeliveredAgainAsInstall() {
    Snapshot snapshot = new Snapshot(10, 2, 500, Nodes.THREE, new byte[] {1});
    List<LogEntry> entries = List.of(new LogEntry(11, 2, 501, null), new LogEntry(12, 3, 502, null));
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new TermAndVote(3, 2).toHardState(), snapshot, entries), 1);
    assertThat(raft.status().commitIndex()).isEqualTo(10);
    assertThat(raft.status().snapshotIndex()).isEqualTo(10);
    assertThat(raft.status().lastIndex()).isEqualTo(12);
    assertThat(raft.status().term()).isEqualTo(3);
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    Ready ready = raft.ready();
    assertThat(ready.install()).isNull();
    assertThat(ready.stable()).isEmpty();
  }

  @Test
  void installSnapshotKeepsAMatchingSuffix() {
    Raft follower = Nodes.withLog(1, 2, 1, 1, 1, 2, 2);
    Snapshot snapshot = new Snapshot(3, 1, 3, Nodes.THREE, new byte[] {7});
    Ready ready = Nodes.receive(follower, 2, whole(2, snapshot));
    assertSame(ready.install(), snapshot);
    assertThat(ready.writes()).singleElement().satisfies(w ->
        assertSame(((StorageWrite.SaveSnapshot) w).snapshot(), snapshot));
    assertThat(follower.status().lastIndex()).isEqualTo(5);
    assertThat(follower.status().commitIndex()).isEqualTo(3);
    assertThat(Nodes.sent(ready, RaftMessage.InstallSnapshotResponse.class))
        .containsExactly(new RaftMessage.InstallSnapshotResponse(2, 3, 3, 1));
  }

  @Test
  void installSnapshotDiscardsAConflictingLog() {
    Raft follower = Nodes.withLog(1, 3, 1, 1, 1, 2, 2);
    Snapshot snapshot = new Snapshot(4, 3, 4, Nodes.THREE, new byte[] {7});
    Ready ready = Nodes.receive(follower, 2, whole(3, snapshot));
    assertSame(ready.install(), snapshot);
    assertThat(follower.status().lastIndex()).isEqualTo(4);
    assertThat(follower.status().commitIndex()).isEqualTo(4);
    assertThat(follower.log().lastTerm()).isEqualTo(3);
  }

  @Test
  void recoveryRefusesALogWhoseTermsGoBackAfterTheSnapshot() {
    // Storage drops the whole log when a snapshot does not match it, so 5..6 of term 1 after a
    // snapshot of term 2 can only be damage: starting would drop entries that may be committed.
    Snapshot snapshot = new Snapshot(4, 2, 4, Nodes.THREE, new byte[0]);
    List<LogEntry> regressed = List.of(new LogEntry(5, 1, 5, null), new LogEntry(6, 1, 6, null));
    assertThatThrownBy(() -> new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new TermAndVote(2, -1).toHardState(), snapshot, regressed), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recovered entry 5 has term 1, below the term 2")
        .hasMessageContaining("refusing to start");
  }

  @Test
  void recoveryRefusesATermRegressionInsideTheLog() {
    List<LogEntry> regressed = List.of(new LogEntry(1, 2, 1, null), new LogEntry(2, 1, 2, null));
    assertThatThrownBy(() -> new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new TermAndVote(2, -1).toHardState(), null, regressed), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recovered entry 2 has term 1, below the term 2");
  }

  @Test
  void recoveryRefusesAHardStateThatIsNotRafts() {
    assertThatThrownBy(() -> new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new StorageWrite.HardState(new byte[5]), null, List.of()), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 bytes; Raft's has 12");
  }

  @Test
  void snapshotOlderThanTheCommitIndexIsNotInstalled() {
    Raft follower = Nodes.withLog(1, 2, 1, 1, 1);
    Nodes.receive(follower, 2, new RaftMessage.AppendEntries(2, 3, 1, List.of(), 3));
    Ready ready = Nodes.receive(follower, 2,
        whole(2, new Snapshot(2, 1, 2, Nodes.THREE, new byte[0])));
    assertThat(ready.install()).isNull();
    assertThat(Nodes.sent(ready, RaftMessage.InstallSnapshotResponse.class))
        .containsExactly(new RaftMessage.InstallSnapshotResponse(2, 3, 2, 0));
  }

  @Test
  void snapshotBeyondTheAppliedPositionIsRejected() {
    Raft raft = Nodes.withLog(1, 2, 1, 1);
    assertThatThrownBy(() -> raft.step(new Input.SnapshotTaken(1, new byte[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snapshot position 1 must be in [0, 0]");
  }

  /** A snapshot small enough for one chunk, as the leader sends it. */
  static RaftMessage.InstallSnapshot whole(long term, Snapshot s) {
    return new RaftMessage.InstallSnapshot(term, s.index(), s.term(), s.time(), s.members(),
        s.data().size(), SnapshotFetch.checksum(s.state()), 0, s.state());
  }

  /** Equal metadata and state bytes (the received state is held in pieces). */
  static void assertSame(Snapshot actual, Snapshot expected) {
    assertThat(actual).isNotNull();
    assertThat(List.of(actual.index(), actual.term(), actual.time()))
        .isEqualTo(List.of(expected.index(), expected.term(), expected.time()));
    assertThat(actual.members()).isEqualTo(expected.members());
    assertThat(actual.state()).isEqualTo(expected.state());
  }
}
