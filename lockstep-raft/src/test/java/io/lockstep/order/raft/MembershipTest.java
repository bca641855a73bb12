package io.lockstep.order.raft;

import static io.lockstep.order.Input.ChangeMembership.Change.ADD;
import static io.lockstep.order.Input.ChangeMembership.Change.REMOVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input;
import io.lockstep.order.Role;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Single-server membership changes (§4.1–4.2), scripted: learners catch up before they count,
 * one change at a time, a new leader commits in its own term first, removing a follower or the
 * leader, and a replacement that lets the cluster survive a second failure.
 */
class MembershipTest {
  private static Input change(Input.ChangeMembership.Change change, int replica) {
    return new Input.ChangeMembership(change, replica);
  }

  private static Configuration config(Cluster cluster, int id) {
    return cluster.raft(id).configuration();
  }

  @Test
  void anAddedSpareCatchesUpBySnapshotAndLogAsALearnerThenBecomesAVoter() {
    Cluster cluster = new Cluster(3, 201);
    cluster.makeLeader(1);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, "before-" + i);
    }
    cluster.run(100);
    cluster.takeSnapshot(1); // the learner must take the snapshot, then the log after it
    cluster.propose(1, "after-snapshot");
    cluster.run(50);
    cluster.addSpare(4);
    long[] logAtPromotion = {-1};
    cluster.rewriteWith(e -> {
      // Before every delivery: the first time 4 is a voter, it must already hold everything
      // the leader had committed (it was caught up before it could count).
      if (logAtPromotion[0] < 0 && config(cluster, 1).voters().contains(4)) {
        logAtPromotion[0] = cluster.raft(4).log().lastIndex();
        assertThat(logAtPromotion[0]).isGreaterThanOrEqualTo(cluster.raft(1).commitIndex());
      }
      return e;
    });
    cluster.step(1, change(ADD, 4));
    assertThat(config(cluster, 1).learners()).as("a learner first, known to the leader")
        .containsExactly(4);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 3);
    cluster.run(300);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 3, 4);
    assertThat(logAtPromotion[0]).isPositive();
    assertThat(config(cluster, 1).committed()).isTrue();
    assertThat(config(cluster, 1).learners()).isEmpty();
    assertThat(cluster.node(4).installs).as("caught up by the snapshot").hasSize(1);
    assertThat(config(cluster, 4).voters()).as("the new replica knows it votes")
        .containsExactly(1, 2, 3, 4);
    cluster.propose(1, "with-four");
    cluster.run(100);
    assertThat(cluster.node(4).appliedPosition).isEqualTo(cluster.node(1).appliedPosition);
  }

  @Test
  void aLearnersAcknowledgementCountsTowardNoCommit() {
    Cluster cluster = new Cluster(3, 202);
    cluster.makeLeader(1);
    cluster.addSpare(4);
    cluster.isolate(2);
    cluster.isolate(3);
    long committed = cluster.raft(1).commitIndex();
    cluster.step(1, change(ADD, 4));
    cluster.propose(1, "x");
    cluster.deliverAll();
    assertThat(cluster.raft(4).log().lastIndex()).as("the learner holds the entry")
        .isGreaterThan(committed);
    assertThat(cluster.raft(1).commitIndex())
        .as("leader + learner are not a majority of voters 1, 2, 3").isEqualTo(committed);
  }

  @Test
  void aNewLeaderRefusesAChangeUntilItCommittedAnEntryOfItsOwnTerm() {
    Cluster cluster = new Cluster(3, 203);
    cluster.makeLeader(1);
    cluster.dropWhen(e -> e.from() == 2 && e.message() instanceof RaftMessage.AppendEntries);
    cluster.step(1, new Input.TransferLeadership(2));
    cluster.deliverAll();
    assertThat(cluster.leader()).isEqualTo(2);
    assertThat(cluster.raft(2).committedInOwnTerm()).isFalse();
    cluster.step(2, change(REMOVE, 3));
    assertThat(config(cluster, 2).lastRefusal())
        .contains("has not committed an entry of its term");
    assertThat(config(cluster, 2).voters()).containsExactly(1, 2, 3);
    cluster.heal();
    cluster.run(100);
    cluster.step(2, change(REMOVE, 3));
    assertThat(config(cluster, 2).lastRefusal()).isEmpty();
    assertThat(config(cluster, 2).voters()).containsExactly(1, 2);
  }

  @Test
  void theBrokenVariantChangesBeforeItsOwnTermCommits() {
    Cluster cluster = new Cluster(3, c -> c, id -> Raft.Bug.CHANGE_BEFORE_OWN_TERM_COMMIT, 203);
    cluster.makeLeader(1);
    cluster.dropWhen(e -> e.from() == 2 && e.message() instanceof RaftMessage.AppendEntries);
    cluster.step(1, new Input.TransferLeadership(2));
    cluster.deliverAll();
    cluster.step(2, change(REMOVE, 3));
    assertThat(config(cluster, 2).lastRefusal()).isEmpty();
    assertThat(config(cluster, 2).voters()).containsExactly(1, 2);
  }

  @Test
  void onlyOneChangeAtATime() {
    Cluster cluster = new Cluster(3, 204);
    cluster.makeLeader(1);
    cluster.isolate(1);
    cluster.step(1, change(REMOVE, 3));
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2);
    assertThat(config(cluster, 1).committed()).isFalse();
    cluster.step(1, change(REMOVE, 2));
    assertThat(config(cluster, 1).lastRefusal()).contains("is not committed yet");
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2);
  }

  @Test
  void changesAreRefusedWithAReasonAtAFollowerAndForNonsense() {
    Cluster cluster = new Cluster(3, 205);
    cluster.makeLeader(1);
    cluster.step(2, change(REMOVE, 3));
    assertThat(config(cluster, 2).lastRefusal()).contains("not the leader (leader: 1)");
    cluster.step(1, change(ADD, 2));
    assertThat(config(cluster, 1).lastRefusal()).contains("already a voter");
    cluster.step(1, change(REMOVE, 9));
    assertThat(config(cluster, 1).lastRefusal()).contains("not a member");
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 3);
  }

  @Test
  void aRemovedFollowerIsNoLongerCountedAndNeverCampaigns() {
    Cluster cluster = new Cluster(3, 206);
    cluster.makeLeader(1);
    cluster.step(1, change(REMOVE, 3));
    cluster.run(100);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2);
    assertThat(config(cluster, 1).committed()).isTrue();
    assertThat(config(cluster, 3).voters()).as("3 learned it is out").containsExactly(1, 2);
    long term = cluster.raft(3).term();
    cluster.isolate(1);
    cluster.isolate(2);
    for (int i = 0; i < 20; i++) {
      cluster.advanceNode(3, 300);
    }
    assertThat(cluster.raft(3).term()).as("a removed replica starts no election").isEqualTo(term);
    cluster.heal();
    cluster.crash(3);
    cluster.propose(1, "two-of-two");
    cluster.run(100);
    assertThat(cluster.node(2).stable).extracting(o -> new String(o.request().command()))
        .contains("two-of-two");
  }

  @Test
  void removingTheLeaderHandsLeadershipToAnotherVoter() {
    Cluster cluster = new Cluster(3, 207);
    cluster.makeLeader(1);
    cluster.propose(1, "x");
    cluster.step(1, change(REMOVE, 1));
    assertThat(config(cluster, 1).voters()).containsExactly(2, 3);
    cluster.run(100);
    int leader = cluster.leader();
    assertThat(leader).isIn(2, 3);
    assertThat(cluster.raft(1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(config(cluster, leader).voters()).containsExactly(2, 3);
    cluster.propose(leader, "after-removal");
    cluster.run(100);
    assertThat(cluster.node(2).stable).extracting(o -> new String(o.request().command()))
        .contains("x", "after-removal");
    long term = cluster.raft(1).term();
    cluster.isolate(1);
    for (int i = 0; i < 20; i++) {
      cluster.advanceNode(1, 300);
    }
    assertThat(cluster.raft(1).term()).as("the removed leader stays quiet").isEqualTo(term);
  }

  @Test
  void replacingADeadReplicaLetsTheClusterSurviveASecondFailure() {
    Cluster cluster = new Cluster(3, 208);
    cluster.makeLeader(1);
    cluster.propose(1, "first");
    cluster.run(50);
    cluster.crash(3); // for good
    cluster.addSpare(4);
    cluster.step(1, change(ADD, 4));
    cluster.run(200);
    cluster.step(1, change(REMOVE, 3));
    cluster.run(100);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 4);
    assertThat(config(cluster, 1).committed()).isTrue();
    cluster.crash(2); // a second failure: 1 and 4 are a majority of 1, 2, 4
    cluster.propose(1, "second");
    cluster.run(100);
    assertThat(cluster.node(4).stable).extracting(o -> new String(o.request().command()))
        .contains("first", "second");
  }

  @Test
  void aSnapshotCarriesTheConfigurationInForceAtItsIndex() {
    Cluster cluster = new Cluster(3, 209);
    cluster.makeLeader(1);
    cluster.step(1, change(REMOVE, 3));
    cluster.run(100);
    cluster.takeSnapshot(1);
    assertThat(cluster.node(1).snapshot.members()).containsExactly(1, 2);
    cluster.crash(1);
    cluster.restart(1);
    assertThat(config(cluster, 1).voters()).as("recovered from the snapshot")
        .containsExactly(1, 2);
    cluster.crash(2);
    cluster.restart(2);
    assertThat(config(cluster, 2).voters()).as("recovered from the log's entry")
        .containsExactly(1, 2);
    assertThat(Set.copyOf(cluster.raft(2).peers())).isEqualTo(Set.of(1));
  }

  @Test
  void aTruncatedConfigurationEntryRevertsToThePreviousConfiguration() {
    Cluster cluster = new Cluster(3, 210);
    cluster.makeLeader(1);
    cluster.isolate(1);
    cluster.step(1, change(REMOVE, 3)); // appended at 1 only, never committed
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2);
    cluster.heal();
    cluster.isolate(1);
    cluster.crash(1);
    int leader = cluster.awaitLeader();
    cluster.propose(leader, "overwrites");
    cluster.run(100);
    cluster.restart(1);
    cluster.heal();
    cluster.run(300);
    assertThat(config(cluster, 1).voters()).as("the conflicting entry was truncated")
        .containsExactly(1, 2, 3);
    assertThat(List.of(cluster.raft(1).log().lastIndex()))
        .isEqualTo(List.of(cluster.raft(leader).log().lastIndex()));
  }

  @Test
  void aClientCannotProposeAConfigurationEntry() {
    Cluster cluster = new Cluster(3, 211);
    cluster.makeLeader(1);
    long last = cluster.raft(1).log().lastIndex();
    cluster.step(1, new Input.Propose(ConfigEntry.encode(1, List.of(1))));
    assertThat(cluster.raft(1).log().lastIndex()).isEqualTo(last);
    assertThat(cluster.node(1).lastReady.redirects()).singleElement()
        .extracting(r -> r.reason()).asString().contains("reserved for configuration entries");
  }
}
