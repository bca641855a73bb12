package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Untrusted input is validated, counted and dropped; bad arguments get clear messages. */
class ValidationTest {
  @Test
  void malformedNonMemberAndStaleMessagesAreDroppedAndCounted() {
    Raft raft = Nodes.withLog(1, 2, 1, 2);
    Status before = raft.status();
    assertDropped(raft, -4, new RaftMessage.Heartbeat(2, 0, 0), 1, "invalid id -4");
    assertDropped(raft, 1, new RaftMessage.Heartbeat(2, 0, 0), 2, "from self");
    LogEntry future = new LogEntry(3, 5, 3, null);
    assertDropped(raft, 2, new RaftMessage.AppendEntries(2, 2, 2, List.of(future), 0), 3,
        "has term 5 outside");
    assertDropped(raft, 2, SnapshotTest.whole(2,
        new Snapshot(5, 2, 5, List.of(1, 1), new byte[0])), 4, "not a set of replica ids");
    assertDropped(raft, 2, new RaftMessage.PreVote(3, 0, 3), 5, "newer than the candidate's term");
    assertDropped(raft, 2, new ProtocolMessage() {}, 6, "not a Raft message");
    assertThat(raft.status()).isEqualTo(before);
    Ready stale = Nodes.receive(raft, 2, new RaftMessage.AppendEntries(1, 0, 0, List.of(), 0));
    assertThat(raft.dropped()).isEqualTo(7);
    assertThat(raft.lastDropReason()).contains("stale term 1");
    assertThat(Nodes.sent(stale, RaftMessage.AppendEntriesResponse.class))
        .as("the stale leader learns the current term")
        .containsExactly(new RaftMessage.AppendEntriesResponse(2, false, 0, 0, 0, Cluster.EPOCH));
    assertThat(raft.status()).isEqualTo(before);
  }

  private static void assertDropped(Raft raft, int from, ProtocolMessage m, long count,
      String reason) {
    Ready ready = Nodes.receive(raft, from, m);
    assertThat(ready.isEmpty()).isTrue();
    assertThat(raft.dropped()).isEqualTo(count);
    assertThat(raft.lastDropReason()).contains(reason);
  }

  @Test
  void aSecondLeaderInTheSameTermIsDropped() {
    Raft raft = Nodes.withLog(1, 2, 1);
    Nodes.receive(raft, 2, new RaftMessage.Heartbeat(2, 0, 1));
    Ready ready = Nodes.receive(raft, 3, new RaftMessage.Heartbeat(2, 0, 1));
    assertThat(ready.messages()).isEmpty();
    assertThat(raft.lastDropReason()).contains("leader 3 in term 2 but 2 leads it");
    assertThat(raft.status().leader()).isEqualTo(2);
  }

  @Test
  void leaderDropsAcknowledgementsOfEntriesItNeverHad() {
    Cluster cluster = new Cluster(3, 81);
    cluster.makeLeader(1);
    Raft leader = cluster.raft(1);
    long term = leader.status().term();
    long before = leader.dropped();
    Nodes.receive(leader, 2, new RaftMessage.AppendEntriesResponse(term, true, 999, 0, 0, 0));
    assertThat(leader.lastDropReason()).contains("beyond the leader's last index");
    Nodes.receive(leader, 2, new RaftMessage.HeartbeatResponse(term, 1_000_000, 0));
    assertThat(leader.lastDropReason()).contains("never sent");
    assertThat(leader.dropped()).isEqualTo(before + 2);
  }

  @Test
  void messageConstructorsRejectBadShapes() {
    assertThatThrownBy(() -> new RaftMessage.Heartbeat(-1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("term must not be negative, was -1");
    assertThatThrownBy(() -> new RaftMessage.AppendEntries(1, 3, 1,
        List.of(new LogEntry(5, 1, 0, null)), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("entry 0 has index 5, expected 4");
    assertThatThrownBy(() -> new RaftMessage.AppendEntriesResponse(1, false, 1, -2, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hintIndex");
    assertThatThrownBy(() -> new RaftMessage.InstallSnapshot(1, 5, 1, 0, List.of(1), 10, 0, 8,
        new byte[3])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit a snapshot of 10 bytes");
  }

  @Test
  void recoveryRejectsALogWithAGap() {
    List<LogEntry> gap = List.of(new LogEntry(1, 1, 0, null), new LogEntry(3, 1, 0, null));
    assertThatThrownBy(() -> new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(null, null, gap), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recovered entry 3 (term 1) does not follow 1");
  }

  @Test
  void recoveryKeepsAVoteForAReplicaOutsideTheInitialConfiguration() {
    // A configuration change may have added replica 7 before this replica voted for it.
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new TermAndVote(2, 7).toHardState(), null, List.of()), 1);
    assertThat(raft.votedFor()).isEqualTo(7);
  }

  @Test
  void recoveryAfterATornHardStateAdoptsTheLogsTerm() {
    List<LogEntry> entries = List.of(new LogEntry(1, 4, 0, null));
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(new TermAndVote(3, 2).toHardState(), null, entries), 1);
    assertThat(raft.status().term()).isEqualTo(4);
  }

  @Test
  void nullInputIsRejected() {
    Raft raft = Nodes.withLog(1, 1);
    assertThatThrownBy(() -> raft.step(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void proposalAtAFollowerIsRedirectedWithTheLeaderHint() {
    Cluster cluster = new Cluster(3, 82);
    cluster.makeLeader(2);
    var request = cluster.propose(3, "x");
    assertThat(cluster.node(3).redirects)
        .containsExactly(new Ready.Redirect(request, -1, 2, "not leader"));
  }

  @Test
  void ticksThatGoBackwardsAreTreatedAsNoTimePassing() {
    Raft raft = Nodes.withLog(1, 1);
    long timeout = raft.election().randomizedTimeout();
    raft.step(new Input.Tick(Cluster.EPOCH - 100_000, Cluster.EPOCH - 100_000));
    raft.step(new Input.Tick(Cluster.EPOCH + timeout - 1, Cluster.EPOCH + timeout - 1));
    assertThat(raft.status().role()).isEqualTo(io.lockstep.order.Role.FOLLOWER);
  }
}
