package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Protocol-aware recovery: a replica whose storage lost entries repairs before it votes. */
class RepairTest {
  private static final long T = RaftConfig.defaults(1, Nodes.THREE).electionTimeoutMillis();

  private static List<LogEntry> entries(long... terms) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      entries.add(new LogEntry(i + 1, terms[i], i + 1,
          Request.command(Cluster.CLIENT, i + 1, new byte[] {(byte) i})));
    }
    return entries;
  }

  /** Replica 1 of three, term 2, that kept entries 1..2 of 1..5 (it may have acked up to 5). */
  private static Raft damaged(Raft.Bug bug) {
    Recovered recovered = new Recovered(new TermAndVote(2, 3).toHardState(), null,
        entries(1, 2), new Recovered.Damage(3, 5, 2, "test damage"));
    return new Raft(RaftConfig.defaults(1, Nodes.THREE), recovered, 7, bug);
  }

  /** Starts the clock, and lets the start-up lease pass so that votes are answered. */
  private static Ready start(Raft raft) {
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    Ready first = raft.ready();
    raft.step(new Input.Tick(Cluster.EPOCH + T, Cluster.EPOCH + T));
    raft.ready();
    return first;
  }

  private static TermAndVote lastHardState(Ready ready) {
    StorageWrite last = null;
    for (StorageWrite w : ready.writes()) {
      if (w instanceof StorageWrite.HardState) {
        last = w;
      }
    }
    return last == null ? null : TermAndVote.of((StorageWrite.HardState) last);
  }

  @Test
  void damagedReplicaPersistsItsRepairBeforeAnythingElseAndNeverCampaigns() {
    Raft raft = damaged(Raft.Bug.NONE);
    Ready first = start(raft);
    assertThat(lastHardState(first).repairThrough()).isEqualTo(5);
    assertThat(lastHardState(first).noVoteThrough()).as("no vote at all until the census")
        .isEqualTo(Repair.CENSUS_PENDING);
    assertThat(raft.repairing()).isTrue();
    for (long t = 1; t <= 10; t++) {
      raft.step(new Input.Tick(Cluster.EPOCH + t * T, Cluster.EPOCH + t * T));
      Ready ready = raft.ready();
      assertThat(Nodes.sent(ready, RaftMessage.PreVote.class)).isEmpty();
      assertThat(Nodes.sent(ready, RaftMessage.RequestVote.class)).isEmpty();
    }
    assertThat(raft.status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(raft.status().term()).isEqualTo(2);
  }

  @Test
  void repairingReplicaGrantsNoVoteOrPreVote() {
    Raft raft = damaged(Raft.Bug.NONE);
    start(raft);
    Ready pre = Nodes.receive(raft, 2, new RaftMessage.PreVote(3, 9, 2));
    assertThat(Nodes.sent(pre, RaftMessage.PreVoteResponse.class))
        .allSatisfy(r -> assertThat(r.granted()).isFalse());
    Ready vote = Nodes.receive(raft, 2, new RaftMessage.RequestVote(3, 9, 2, false));
    assertThat(Nodes.sent(vote, RaftMessage.RequestVoteResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.granted()).isFalse());
  }

  @Test
  void acknowledgementsAreMarkedRepairingUntilTheCommitCoversTheBoundAndTheLeadersCommit() {
    Raft raft = damaged(Raft.Bug.NONE);
    start(raft);
    List<LogEntry> leaderLog = entries(1, 2, 2, 3, 3, 3, 3);
    // Leader 2 of term 3 has committed 6: the repair lasts until 6, not only the bound 5.
    Ready r1 = Nodes.receive(raft, 2, new RaftMessage.AppendEntries(3, 2, 2,
        leaderLog.subList(2, 5), 6));
    assertThat(Nodes.sent(r1, RaftMessage.AppendEntriesResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.repairing()).isTrue());
    assertThat(lastHardState(r1).repairThrough()).isEqualTo(6);
    assertThat(raft.repairing()).isTrue();
    // A heartbeat's commit is capped by a matchIndex that may be stale: ignored while repairing.
    Ready beat = Nodes.receive(raft, 2, new RaftMessage.Heartbeat(3, 7, 0));
    assertThat(raft.status().commitIndex()).isEqualTo(5);
    assertThat(Nodes.sent(beat, RaftMessage.AppendEntriesResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.repairing()).isTrue());
    Ready r2 = Nodes.receive(raft, 2, new RaftMessage.AppendEntries(3, 5, 3,
        leaderLog.subList(5, 7), 6));
    assertThat(raft.repairing()).isFalse();
    assertThat(lastHardState(r2).repairThrough()).isEqualTo(TermAndVote.NO_REPAIR);
    assertThat(Nodes.sent(r2, RaftMessage.AppendEntriesResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.repairing()).isFalse());
  }

  @Test
  void evenAnAnswerToAStaleLeaderIsMarkedRepairing() {
    Raft raft = damaged(Raft.Bug.NONE);
    start(raft);
    Ready stale = Nodes.receive(raft, 2, new RaftMessage.AppendEntries(1, 0, 0, List.of(), 0));
    assertThat(Nodes.sent(stale, RaftMessage.AppendEntriesResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.repairing()).isTrue());
  }

  @Test
  void aCrashDuringRepairResumesTheRepair() {
    Raft raft = damaged(Raft.Bug.NONE);
    StorageWrite.HardState stored = new TermAndVote(2, 3, 5, 2).toHardState();
    assertThat(TermAndVote.of(stored)).isEqualTo(new TermAndVote(2, 3, 5, 2));
    Raft restarted = new Raft(RaftConfig.defaults(1, Nodes.THREE),
        new Recovered(stored, null, entries(1, 2)), 8);
    assertThat(restarted.repairing()).isTrue();
    assertThat(raft.repairing()).isTrue();
  }

  @Test
  void afterRepairItStillGrantsNoVoteInATermItMayHaveVotedIn() {
    Recovered recovered = new Recovered(new TermAndVote(2, 3, TermAndVote.NO_REPAIR, 4)
        .toHardState(), null, entries(1, 2));
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE), recovered, 7);
    start(raft);
    Ready inFloor = Nodes.receive(raft, 2, new RaftMessage.RequestVote(4, 9, 2, false));
    assertThat(Nodes.sent(inFloor, RaftMessage.RequestVoteResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.granted()).isFalse());
    Ready above = Nodes.receive(raft, 2, new RaftMessage.RequestVote(5, 9, 2, false));
    assertThat(Nodes.sent(above, RaftMessage.RequestVoteResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.granted()).isTrue());
  }

  @Test
  void aLostVoteInATermAboveAllItsStorageShowsIsCoveredByACensusOfItsPeersTerms() {
    // It kept term 2 only; the vote it lost was in term 7, which replica 3 still shows.
    Recovered recovered = new Recovered(new TermAndVote(2, 3).toHardState(), null,
        entries(1, 2), new Recovered.Damage(3, 2, 2, "newest hard state damaged"));
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE), recovered, 7);
    start(raft);
    long now = Cluster.EPOCH + T;
    Nodes.receive(raft, 2, new RaftMessage.AppendEntries(5, 2, 2, List.of(), 2));
    assertThat(raft.repairing()).as("caught up with leader 2 of term 5").isFalse();
    raft.step(new Input.Tick(now + 2 * T, now + 2 * T));
    raft.ready();
    Ready early = Nodes.receive(raft, 2, new RaftMessage.PreVote(6, 9, 5));
    assertThat(Nodes.sent(early, RaftMessage.PreVoteResponse.class)).singleElement()
        .as("one peer heard is no census").satisfies(r -> assertThat(r.granted()).isFalse());
    raft.step(new Input.Tick(now + 5 * T, now + 5 * T));
    raft.ready();
    Nodes.receive(raft, 3, new RaftMessage.PreVote(8, 9, 5)); // 3 has reached term 7
    assertThat(raft.repair().noVoteThrough()).isEqualTo(7);
    Ready inLostTerm = Nodes.receive(raft, 3, new RaftMessage.RequestVote(7, 9, 5, false));
    assertThat(Nodes.sent(inLostTerm, RaftMessage.RequestVoteResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.granted()).isFalse());
    Ready after = Nodes.receive(raft, 3, new RaftMessage.RequestVote(8, 9, 5, false));
    assertThat(Nodes.sent(after, RaftMessage.RequestVoteResponse.class)).singleElement()
        .satisfies(r -> assertThat(r.granted()).isTrue());
  }

  @Test
  void aLoneReplicaWithDamagedStorageRefusesToStart() {
    Recovered recovered = new Recovered(null, null, entries(1),
        new Recovered.Damage(2, 3, 1, "test damage"));
    assertThatThrownBy(() -> new Raft(RaftConfig.defaults(1, List.of(1)), recovered, 7))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no peer to repair");
  }

  @Test
  void aRepairingFollowerOfALeaderWhoThinksItIsUpToDateIsRepairedThroughHeartbeats() {
    Cluster cluster = new Cluster(3, 2);
    cluster.makeLeader(1);
    for (int i = 0; i < 5; i++) {
      cluster.step(1, new Input.Propose(Request.command(Cluster.CLIENT, i + 1, new byte[] {1})));
      cluster.deliverAll();
    }
    long committed = cluster.raft(1).status().commitIndex();
    Raft before = cluster.raft(2);
    assertThat(before.status().commitIndex()).isPositive();
    // Replica 2 restarts having lost everything after entry 1; the leader's matchIndex for it
    // still says it holds everything, so only its heartbeats reach it.
    cluster.restartDamaged(2, 1, new Recovered.Damage(2, before.log().lastIndex(), before.term(),
        "test damage"));
    assertThat(cluster.raft(2).repairing()).isTrue();
    for (int round = 0; round < 20 && cluster.raft(2).repairing(); round++) {
      cluster.node(1).clock += T / 2;
      cluster.step(1, cluster.node(1).tick());
      cluster.deliverAll();
    }
    assertThat(cluster.raft(2).repairing()).isFalse();
    assertThat(cluster.raft(2).status().commitIndex()).isGreaterThanOrEqualTo(committed);
  }

  @Test
  void leaderForgetsAStaleMatchIndexAndCountsNoRepairingAcknowledgement() {
    Cluster cluster = new Cluster(3, 1);
    cluster.makeLeader(1);
    Raft leader = cluster.raft(1);
    long last = leader.log().lastIndex();
    assertThat(leader.replication().progress(2).match()).isPositive();
    // Follower 2 restarted with damage and answers as repairing: its old match is forgotten.
    leader.step(new Input.Receive(2, new RaftMessage.AppendEntriesResponse(leader.term(), false,
        last, 0, 0, 0, true)));
    leader.ready();
    assertThat(leader.replication().progress(2).match()).isZero();
    // A repairing success does not commit, even with the leader's own copy: 2 of 3 needed.
    leader.step(new Input.Propose(Request.command(Cluster.CLIENT, 99, new byte[] {1})));
    leader.ready();
    long next = leader.log().lastIndex();
    leader.step(new Input.Receive(2, new RaftMessage.AppendEntriesResponse(leader.term(), true,
        next, 0, 0, 0, true)));
    leader.ready();
    assertThat(leader.status().commitIndex()).isLessThan(next);
    leader.step(new Input.Receive(2, new RaftMessage.AppendEntriesResponse(leader.term(), true,
        next, 0, 0, 0, false)));
    leader.ready();
    assertThat(leader.status().commitIndex()).isEqualTo(next);
  }
}
