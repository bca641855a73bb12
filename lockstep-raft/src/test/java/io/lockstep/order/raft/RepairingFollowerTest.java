package io.lockstep.order.raft;

import static io.lockstep.order.Input.ChangeMembership.Change.ADD;
import static io.lockstep.order.Input.ChangeMembership.Change.REMOVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input;
import org.junit.jupiter.api.Test;

/**
 * A follower whose answers say "repairing" (it repairs damaged storage, or has not yet checked
 * its first start with its peers, {@link WipeCheck}) counts toward no commit; the leader must
 * learn when that ends even if it has nothing new to send, must start afresh with one that lost
 * entries again before that end reached it, and must not make a learner a voter while its
 * acknowledgements would count toward nothing.
 *
 * <p>The first rule broke in a real cluster: a leader whose last entry was a configuration entry,
 * every follower holding it, kept two followers it had heard "repairing" from in that state for
 * good, because only an AppendEntries answer carries the flag and a caught-up follower gets no
 * AppendEntries, only heartbeats. Its commit index stayed one short of the entry.
 */
class RepairingFollowerTest {
  private static boolean probeFrom(Cluster.Envelope e, int id) {
    return e.from() == id && e.message() instanceof RaftMessage.IncarnationProbe;
  }

  private static Configuration config(Cluster cluster, int id) {
    return cluster.raft(id).configuration();
  }

  @Test
  void aFollowerThatStopsRepairingCountsAgainThoughItAlreadyHoldsEverything() {
    Cluster cluster = new Cluster(3, 301);
    cluster.dropWhen(e -> probeFrom(e, 3)); // 3 cannot check its first start yet
    cluster.makeLeader(1);
    cluster.propose(1, "counted-by-1-and-2");
    cluster.run(200);
    assertThat(cluster.raft(3).wipeCheck().verified()).isFalse();
    cluster.crash(2); // for good: from now on every commit needs 3
    cluster.step(1, new Input.ChangeMembership(REMOVE, 2));
    cluster.run(200);
    long entry = cluster.raft(1).log().lastIndex();
    assertThat(cluster.raft(3).log().lastIndex()).as("3 holds the entry").isEqualTo(entry);
    assertThat(cluster.raft(1).commitIndex()).as("an unverified replica counts for nothing")
        .isLessThan(entry);
    cluster.dropWhen(e -> false);
    cluster.run(3_000); // 3's probes reach 1; 2 stays silent, so after two timeouts a first start
    assertThat(cluster.raft(3).wipeCheck().verified()).isTrue();
    assertThat(cluster.raft(1).log().lastIndex()).as("nothing new was appended").isEqualTo(entry);
    assertThat(cluster.raft(1).commitIndex()).as("3 counts again: " + cluster.raft(1))
        .isEqualTo(entry);
    assertThat(config(cluster, 1).voters()).containsExactly(1, 3);
    assertThat(config(cluster, 1).committed()).isTrue();
    assertThat(cluster.violations()).isEmpty();
  }

  /**
   * The leader resets a follower's progress on its first "repairing" answer, because the
   * matchIndex it holds may name entries the follower lost. A follower wiped again before the
   * leader heard that its previous repair ended gives no first answer: the leader, still
   * counting it as repairing, kept the old matchIndex and probed above it for good (the
   * server's SnapshotFromFollowerClusterTest when its transfer was repeated).
   */
  @Test
  void aFollowerWipedAgainWhileStillCountedAsRepairingIsCaughtUpFromScratch() {
    Cluster cluster = new Cluster(3, 303);
    cluster.makeLeader(1);
    for (int i = 0; i < 30; i++) {
      cluster.propose(1, "before-" + i);
    }
    cluster.run(200);
    cluster.takeSnapshot(1); // the wiped follower's matchIndex comes from installing it
    cluster.propose(1, "after-snapshot");
    cluster.run(100);
    long target = cluster.raft(1).commitIndex();
    cluster.wipe(3);
    // 3 is stopped before its first answer without the flag leaves (as a server stopped the
    // moment it caught up is): the leader never hears that the repair ended.
    cluster.dropWhen(e -> e.from() == 3
        && e.message() instanceof RaftMessage.AppendEntriesResponse r && !r.repairing());
    cluster.run(2_000);
    assertThat(cluster.raft(3).repairing()).isFalse();
    assertThat(cluster.raft(3).commitIndex()).isGreaterThanOrEqualTo(target);
    assertThat(cluster.raft(1).replication().repairing(3)).as("not heard").isTrue();
    cluster.wipe(3);
    cluster.heal();
    cluster.run(3_000);
    assertThat(cluster.raft(3).commitIndex()).as("caught up again: " + cluster.raft(1))
        .isGreaterThanOrEqualTo(target);
    assertThat(cluster.raft(3).repairing()).isFalse();
    assertThat(cluster.violations()).isEmpty();
  }

  @Test
  void aLearnerStillCheckingItsFirstStartIsNotMadeAVoter() {
    Cluster cluster = new Cluster(3, 302);
    cluster.makeLeader(1);
    cluster.propose(1, "before");
    cluster.run(200);
    cluster.addSpare(4);
    cluster.dropWhen(e -> probeFrom(e, 4));
    cluster.step(1, new Input.ChangeMembership(ADD, 4));
    cluster.run(1_000);
    assertThat(cluster.raft(4).log().lastIndex()).as("caught up")
        .isGreaterThanOrEqualTo(cluster.raft(1).commitIndex());
    assertThat(cluster.raft(4).wipeCheck().verified()).isFalse();
    assertThat(config(cluster, 1).voters()).as("its acknowledgements would count for nothing")
        .containsExactly(1, 2, 3);
    assertThat(config(cluster, 1).learners()).containsExactly(4);
    cluster.dropWhen(e -> false);
    cluster.run(1_000);
    assertThat(cluster.raft(4).wipeCheck().verified()).isTrue();
    assertThat(config(cluster, 1).voters()).containsExactly(1, 2, 3, 4);
    assertThat(config(cluster, 1).committed()).isTrue();
    assertThat(cluster.violations()).isEmpty();
  }
}
