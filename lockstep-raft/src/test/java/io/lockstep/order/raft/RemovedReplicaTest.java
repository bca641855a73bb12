package io.lockstep.order.raft;

import static io.lockstep.order.Input.ChangeMembership.Change.ADD;
import static io.lockstep.order.Input.ChangeMembership.Change.REMOVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input;
import io.lockstep.order.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replica removed while it was down, restarted with a log from before its removal, learns
 * from a member's answer to its campaign that it was removed ({@link RaftMessage.NotMember}),
 * stops campaigning and disturbs nobody's term; added back, it is caught up and votes again.
 */
class RemovedReplicaTest {
  private static Configuration config(Cluster cluster, int id) {
    return cluster.raft(id).configuration();
  }

  /** Replica 3 is removed while it is down, then restarted with its old log. */
  private static Cluster removedWhileDown(long seed) {
    Cluster cluster = new Cluster(3, seed);
    cluster.makeLeader(1);
    cluster.propose(1, "before");
    cluster.run(100);
    cluster.crash(3);
    cluster.step(1, new Input.ChangeMembership(REMOVE, 3));
    cluster.run(300);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2);
    assertThat(config(cluster, 1).committed()).isTrue();
    cluster.restart(3);
    assertThat(config(cluster, 3).voters()).as("its log predates the removal").contains(3);
    return cluster;
  }

  private static int voteRequestsFrom(Cluster cluster, int id, long ms) {
    int[] requests = {0};
    cluster.rewriteWith(e -> {
      if (e.from() == id && (e.message() instanceof RaftMessage.PreVote
          || e.message() instanceof RaftMessage.RequestVote)) {
        requests[0]++;
      }
      return e;
    });
    cluster.run(ms);
    cluster.rewriteWith(e -> e);
    return requests[0];
  }

  @Test
  void aReplicaRemovedWhileDownLearnsItFromAMembersAnswerAndStopsCampaigning() {
    Cluster cluster = removedWhileDown(301);
    long term = cluster.raft(1).status().term();
    cluster.run(3_000); // several election timeouts: it campaigns once and is told
    assertThat(config(cluster, 3).voters()).as("the members' committed configuration")
        .containsExactly(1, 2);
    assertThat(config(cluster, 3).committed()).isTrue();
    assertThat(voteRequestsFrom(cluster, 3, 3_000)).as("no campaign once it knows").isZero();
    assertThat(cluster.raft(3).status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(cluster.leader()).isEqualTo(1);
    assertThat(cluster.raft(1).status().term()).as("nobody's term moved").isEqualTo(term);
  }

  @Test
  void withoutTheAnswerTheRemovedReplicaCampaignsForEver() {
    Cluster cluster = removedWhileDown(302);
    cluster.dropWhen(e -> e.message() instanceof RaftMessage.NotMember);
    cluster.run(3_000);
    assertThat(config(cluster, 3).voters()).contains(3);
    assertThat(voteRequestsFrom(cluster, 3, 3_000)).isPositive();
  }

  @Test
  void addedBackItIsCaughtUpFromItsOwnLogAndVotesAgain() {
    Cluster cluster = removedWhileDown(303);
    cluster.run(3_000);
    assertThat(config(cluster, 3).voters()).containsExactly(1, 2);
    cluster.step(1, new Input.ChangeMembership(ADD, 3));
    cluster.run(1_000);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 3);
    assertThat(config(cluster, 3).voters()).as("its log now holds the newer configuration")
        .isEqualTo(List.of(1, 2, 3));
    cluster.propose(1, "after");
    cluster.run(200);
    assertThat(cluster.node(3).appliedPosition).isEqualTo(cluster.node(1).appliedPosition);
  }

  @Test
  void itRemembersTheRemovalAcrossARestartAndDoesNotCampaignAgain() {
    Cluster cluster = removedWhileDown(304);
    cluster.run(3_000);
    assertThat(config(cluster, 3).voters()).containsExactly(1, 2);
    long term = cluster.raft(1).status().term();
    cluster.crash(3);
    cluster.restart(3);
    assertThat(config(cluster, 3).voters()).as("known from its hard state at once")
        .containsExactly(1, 2);
    assertThat(voteRequestsFrom(cluster, 3, 3_000)).as("not even one campaign").isZero();
    assertThat(cluster.raft(1).status().term()).isEqualTo(term);

    cluster.step(1, new Input.ChangeMembership(ADD, 3));
    cluster.run(1_000);
    cluster.crash(3);
    cluster.restart(3);
    assertThat(config(cluster, 3).voters()).as("added back: its log wins over the removal")
        .containsExactly(1, 2, 3);
  }

  @Test
  void theRemovalRoundTripsInTheHardStateAndAMalformedOneIsRefused() {
    TermAndVote state = new TermAndVote(7, 2, TermAndVote.NO_REPAIR, 0,
        new Incarnations(11, true, java.util.Map.of(1, 5L, 2, 6L)),
        new TermAndVote.Removal(40, List.of(1, 2)));
    assertThat(TermAndVote.of(state.toHardState())).isEqualTo(state);
    TermAndVote without = new TermAndVote(7, 2, TermAndVote.NO_REPAIR, 0,
        new Incarnations(11, false, java.util.Map.of()));
    assertThat(TermAndVote.of(without.toHardState())).isEqualTo(without);
    byte[] bytes = state.toHardState().state();
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 4);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TermAndVote.of(
        new io.lockstep.order.StorageWrite.HardState(cut)))
        .hasMessageContaining("removal is malformed");
    byte[] longer = java.util.Arrays.copyOf(without.toHardState().state(),
        without.toHardState().state().length + 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TermAndVote.of(
        new io.lockstep.order.StorageWrite.HardState(longer)))
        .hasMessageContaining("bytes after its last field");
  }
}

