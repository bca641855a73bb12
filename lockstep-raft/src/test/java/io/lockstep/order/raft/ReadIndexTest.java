package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linearizable reads: ReadIndex and leases (§6.4). */
class ReadIndexTest {
  @Test
  void readIndexWaitsForAHeartbeatQuorum() {
    Cluster cluster = new Cluster(3, 51);
    cluster.makeLeader(1);
    long commit = cluster.raft(1).status().commitIndex();
    long readId = cluster.read(1);
    assertThat(cluster.node(1).grants).isEmpty();
    List<Cluster.Envelope> round = cluster.takeInFlight();
    assertThat(round).hasSize(2).allMatch(e -> e.message() instanceof RaftMessage.Heartbeat);
    cluster.deliver(round.get(0)); // one follower + the leader = a majority of 3
    assertThat(cluster.node(1).grants).isEmpty();
    cluster.deliverAll();
    assertThat(cluster.node(1).grants).containsExactly(new Ready.ReadGrant(readId, commit));
  }

  @Test
  void readIndexWaitsForTheLeadersFirstCommitInItsTerm() {
    Cluster cluster = new Cluster(3, 52);
    int old = cluster.awaitLeader();
    cluster.run(100);
    cluster.dropWhen(e -> e.message() instanceof RaftMessage.AppendEntries);
    cluster.crash(old);
    int leader = cluster.awaitLeader();
    long noOp = cluster.raft(leader).status().lastIndex();
    assertThat(cluster.raft(leader).status().commitIndex()).isLessThan(noOp);
    long readId = cluster.read(leader);
    cluster.run(200); // heartbeats are acknowledged, but the no-op cannot commit
    assertThat(cluster.node(leader).grants).isEmpty();
    cluster.heal();
    cluster.run(200);
    assertThat(cluster.node(leader).grants).singleElement()
        .satisfies(g -> assertThat(g.readId()).isEqualTo(readId))
        .satisfies(g -> assertThat(g.position()).isGreaterThanOrEqualTo(noOp));
  }

  @Test
  void readAtAFollowerIsRedirectedToTheLeader() {
    Cluster cluster = new Cluster(3, 53);
    cluster.makeLeader(1);
    long readId = cluster.read(2);
    assertThat(cluster.node(2).redirects)
        .containsExactly(new Ready.Redirect(null, readId, 1, "not leader"));
  }

  @Test
  void isolatedLeaderNeverServesAStaleRead() {
    Cluster cluster = new Cluster(3, 54);
    cluster.makeLeader(1);
    cluster.isolate(1);
    long readId = cluster.read(1);
    cluster.run(1500);
    int leader = cluster.leader();
    assertThat(leader).isIn(2, 3);
    cluster.propose(leader, "newer");
    cluster.run(100);
    assertThat(cluster.node(1).grants).isEmpty();
    assertThat(cluster.node(1).redirects).extracting(Ready.Redirect::readId).containsExactly(readId);
    assertThat(cluster.raft(1).status().role()).isNotEqualTo(Role.LEADER);
  }

  @Test
  void leaseReadsAreServedLocallyWhileTheLeaseHolds() {
    Cluster cluster = new Cluster(3, c -> c.withLeaseReads(true, 0.1), 55);
    cluster.makeLeader(1);
    long first = cluster.read(1);
    assertThat(cluster.node(1).grants).extracting(Ready.ReadGrant::readId)
        .as("granted in the same Ready, no round trip").containsExactly(first);
    cluster.isolate(1);
    cluster.run(300); // the lease is T(1 - 0.1) = 270 ms after the last acknowledged round
    long second = cluster.read(1);
    cluster.run(100);
    assertThat(cluster.node(1).grants).extracting(Ready.ReadGrant::readId)
        .doesNotContain(second);
  }

  @Test
  void withoutLeaseReadsEveryReadNeedsARound() {
    Cluster cluster = new Cluster(3, 56);
    cluster.makeLeader(1);
    cluster.read(1);
    assertThat(cluster.node(1).grants).isEmpty();
    cluster.deliverAll();
    assertThat(cluster.node(1).grants).hasSize(1);
  }

  @Test
  void restartedReplicaWithLeaseReadsIgnoresVotesForAnElectionTimeout() {
    RaftConfig config = RaftConfig.defaults(1, Nodes.THREE).withLeaseReads(true, 0.1);
    Raft raft = new Raft(config, Nodes.checkedEmpty(1), 1);
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    Ready early = Nodes.receive(raft, 2, new RaftMessage.RequestVote(4, 0, 0, false));
    assertThat(early.messages()).isEmpty();
    raft.step(new Input.Tick(Cluster.EPOCH + 300, Cluster.EPOCH + 300));
    Ready later = Nodes.receive(raft, 2, new RaftMessage.RequestVote(4, 0, 0, false));
    assertThat(Nodes.sent(later, RaftMessage.RequestVoteResponse.class))
        .containsExactly(new RaftMessage.RequestVoteResponse(4, true, Cluster.EPOCH + 300));
  }

  @Test
  void oneRoundConfirmsManyReads() {
    Cluster cluster = new Cluster(3, 57);
    cluster.makeLeader(1);
    List<Input.Read> reads = List.of(cluster.readInput(), cluster.readInput(), cluster.readInput());
    cluster.stepAll(1, List.copyOf(reads));
    assertThat(cluster.inFlight()).hasSize(2);
    cluster.deliverAll();
    assertThat(cluster.node(1).grants).extracting(Ready.ReadGrant::readId)
        .containsExactlyElementsOf(reads.stream().map(Input.Read::readId).toList());
  }
}
