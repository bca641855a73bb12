package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.StorageWrite;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Leader election rules (§3.4, §3.6, §4.2.3, §6.2, §9.6). */
class ElectionTest {
  @Test
  void electionSafetyAtMostOneLeaderPerTerm() {
    // The harness fails on two leaders of one term; force many elections through partitions.
    Set<Long> terms = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      Cluster cluster = new Cluster(5, c -> c.withElectionSafeguards(false, false), seed);
      for (int round = 0; round < 10; round++) {
        int leader = cluster.awaitLeader();
        terms.add(cluster.raft(leader).status().term() + seed * 1000);
        cluster.isolate(leader);
        cluster.run(400 + 37 * round);
        cluster.heal();
      }
      assertThat(cluster.violations()).isEmpty();
    }
    assertThat(terms).hasSizeGreaterThan(100);
  }

  @Test
  void electionTimeoutsAreDrawnFromTToTwoT() {
    Set<Long> seen = new HashSet<>();
    for (long seed = 0; seed < 200; seed++) {
      Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE), Recovered.EMPTY, seed);
      long timeout = raft.election().randomizedTimeout();
      assertThat(timeout).isBetween(300L, 599L);
      seen.add(timeout);
    }
    assertThat(seen).hasSizeGreaterThan(50);
  }

  @Test
  void followerCampaignsOnlyAfterItsElectionTimeoutMeasuredFromTheFirstTick() {
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE), Nodes.checkedEmpty(1), 3);
    long timeout = raft.election().randomizedTimeout();
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    raft.step(new Input.Tick(Cluster.EPOCH + timeout - 1, Cluster.EPOCH + timeout - 1));
    assertThat(raft.status().role()).isEqualTo(Role.FOLLOWER);
    raft.step(new Input.Tick(Cluster.EPOCH + timeout, Cluster.EPOCH + timeout));
    assertThat(raft.status().role()).isEqualTo(Role.PRE_CANDIDATE);
    assertThat(raft.status().term()).as("pre-vote does not bump the term").isZero();
    assertThat(Nodes.sent(raft.ready(), RaftMessage.PreVote.class))
        .hasSize(2).allMatch(v -> v.term() == 1);
  }

  @Test
  void preVotePreventsTermInflationByPartitionedNode() {
    Cluster cluster = new Cluster(3, 11);
    int leader = cluster.awaitLeader();
    long term = cluster.raft(leader).status().term();
    int isolated = leader == 1 ? 2 : 1;
    cluster.isolate(isolated);
    cluster.run(5000);
    assertThat(cluster.raft(isolated).status().term()).isEqualTo(term);
    cluster.heal();
    cluster.run(1000);
    assertThat(cluster.leader()).as("the returning node does not disrupt").isEqualTo(leader);
    assertThat(cluster.raft(leader).status().term()).isEqualTo(term);
  }

  @Test
  void withoutPreVoteAPartitionedNodeInflatesItsTermAndDisruptsTheLeader() {
    Cluster cluster = new Cluster(3, c -> c.withElectionSafeguards(false, false), 11);
    int leader = cluster.awaitLeader();
    long term = cluster.raft(leader).status().term();
    int isolated = leader == 1 ? 2 : 1;
    cluster.isolate(isolated);
    cluster.run(5000);
    assertThat(cluster.raft(isolated).status().term()).isGreaterThan(term + 3);
    cluster.heal();
    cluster.run(1000);
    assertThat(cluster.raft(cluster.awaitLeader()).status().term()).isGreaterThan(term + 3);
  }

  @Test
  void checkQuorumMakesIsolatedLeaderStepDown() {
    Cluster cluster = new Cluster(3, 5);
    int leader = cluster.awaitLeader();
    cluster.isolate(leader);
    cluster.run(650);
    assertThat(cluster.raft(leader).status().role()).isNotEqualTo(Role.LEADER);
    assertThat(cluster.raft(leader).status().leader()).isEqualTo(-1);
  }

  @Test
  void withoutCheckQuorumAnIsolatedLeaderKeepsLeading() {
    Cluster cluster = new Cluster(3, c -> c.withElectionSafeguards(true, false), 5);
    int leader = cluster.awaitLeader();
    cluster.isolate(leader);
    cluster.run(3000);
    assertThat(cluster.raft(leader).status().role()).isEqualTo(Role.LEADER);
  }

  @Test
  void voteOnlyForCandidatesWithUpToDateLogs() {
    Raft voter = Nodes.withLog(1, 2, 1, 2);
    Ready older = Nodes.receive(voter, 2, new RaftMessage.RequestVote(3, 5, 1, false));
    assertThat(Nodes.sent(older, RaftMessage.RequestVoteResponse.class))
        .containsExactly(new RaftMessage.RequestVoteResponse(3, false, Cluster.EPOCH));
    Ready shorter = Nodes.receive(voter, 2, new RaftMessage.RequestVote(3, 1, 2, false));
    assertThat(Nodes.sent(shorter, RaftMessage.RequestVoteResponse.class))
        .containsExactly(new RaftMessage.RequestVoteResponse(3, false, Cluster.EPOCH));
    Ready upToDate = Nodes.receive(voter, 3, new RaftMessage.RequestVote(3, 2, 2, false));
    assertThat(Nodes.sent(upToDate, RaftMessage.RequestVoteResponse.class))
        .containsExactly(new RaftMessage.RequestVoteResponse(3, true, Cluster.EPOCH));
    assertThat(upToDate.writes()).hasSize(1).allSatisfy(w -> assertThat(
        TermAndVote.of((StorageWrite.HardState) w)).extracting(TermAndVote::term,
        TermAndVote::votedFor).containsExactly(3L, 3));
  }

  @Test
  void oneVotePerTerm() {
    Raft voter = Nodes.withLog(1, 2, 1);
    Nodes.receive(voter, 2, new RaftMessage.RequestVote(3, 1, 1, false));
    Ready second = Nodes.receive(voter, 3, new RaftMessage.RequestVote(3, 1, 1, false));
    assertThat(Nodes.sent(second, RaftMessage.RequestVoteResponse.class))
        .containsExactly(new RaftMessage.RequestVoteResponse(3, false, Cluster.EPOCH));
    Ready repeat = Nodes.receive(voter, 2, new RaftMessage.RequestVote(3, 1, 1, false));
    assertThat(Nodes.sent(repeat, RaftMessage.RequestVoteResponse.class))
        .as("a repeated request from the same candidate is granted again")
        .containsExactly(new RaftMessage.RequestVoteResponse(3, true, Cluster.EPOCH));
  }

  @Test
  void preVoteNeverChangesTheVotersTermOrVote() {
    Raft voter = Nodes.withLog(1, 2, 1);
    Ready ready = Nodes.receive(voter, 2, new RaftMessage.PreVote(3, 1, 1));
    assertThat(Nodes.sent(ready, RaftMessage.PreVoteResponse.class))
        .containsExactly(new RaftMessage.PreVoteResponse(3, true));
    assertThat(ready.writes()).isEmpty();
    assertThat(voter.status().term()).isEqualTo(2);
  }

  @Test
  void laggingFollowerCannotBecomeLeader() {
    for (long seed = 1; seed <= 10; seed++) {
      Cluster cluster = new Cluster(3, seed);
      int leader = cluster.awaitLeader();
      int lagging = leader % 3 + 1;
      int upToDate = lagging % 3 + 1;
      cluster.cut(leader, lagging);
      cluster.propose(leader, "x");
      cluster.run(100);
      cluster.crash(leader);
      cluster.run(3000);
      assertThat(cluster.leader()).as("seed %d", seed).isEqualTo(upToDate);
    }
  }

  @Test
  void followersInTouchWithALeaderIgnoreVotes() {
    Cluster cluster = new Cluster(3, 2);
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    long term = cluster.raft(follower).status().term();
    Ready ready = Nodes.receive(cluster.raft(follower), leader % 3 + 2 > 3 ? 1 : leader % 3 + 2,
        new RaftMessage.RequestVote(term + 5, 100, term, false));
    assertThat(ready.messages()).as("ignored: no answer").isEmpty();
    assertThat(cluster.raft(follower).status().term()).as("nor the term adopted").isEqualTo(term);
  }

  @Test
  void singleMemberClusterElectsItselfAndCommits() {
    Cluster cluster = new Cluster(1, 4);
    int leader = cluster.awaitLeader();
    assertThat(leader).isEqualTo(1);
    var request = cluster.propose(1, "solo");
    cluster.run(20);
    assertThat(cluster.node(1).stable).extracting(o -> o.request()).containsExactly(request);
  }
}
