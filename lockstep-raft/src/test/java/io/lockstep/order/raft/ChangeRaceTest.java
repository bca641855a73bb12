package io.lockstep.order.raft;

import static io.lockstep.order.Input.ChangeMembership.Change.ADD;
import static io.lockstep.order.Input.ChangeMembership.Change.REMOVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Role;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The single-server change bug (Ongaro, raft-dev, 2015), scripted: from four voters, one leader
 * appends "add 5" and is cut off before it commits; a new leader of the other side removes a
 * voter before committing an entry of its own term. The two new configurations have disjoint
 * majorities ({1, q, 5} of five and {L, p} of three), so each side commits on its own. The rule
 * that a leader commits in its own term before any change refuses the second change.
 */
class ChangeRaceTest {
  /** Runs the race; returns the safety violations the cluster saw. */
  private static List<String> race(Raft.Bug bug) {
    Cluster cluster = new Cluster(4, c -> c, id -> bug, 212).lenient();
    cluster.makeLeader(1);
    cluster.addCheckedSpare(5);
    cluster.partition(Set.of(1, 5));
    cluster.step(1, new Input.ChangeMembership(ADD, 5));
    cluster.deliverAll();
    assertThat(cluster.raft(1).configuration().voters()).containsExactly(1, 2, 3, 4, 5);
    assertThat(cluster.raft(5).configuration().voters()).containsExactly(1, 2, 3, 4, 5);
    assertThat(cluster.raft(1).configuration().committed()).isFalse();
    // The other side elects a leader whose first entries reach no one yet.
    cluster.dropWhen(e -> e.message() instanceof RaftMessage.AppendEntries && e.from() != 1);
    int leader = awaitLeaderAmong(cluster, List.of(2, 3, 4));
    List<Integer> others = List.of(2, 3, 4).stream().filter(id -> id != leader).toList();
    int p = others.get(0);
    int q = others.get(1);
    cluster.step(leader, new Input.ChangeMembership(REMOVE, q));
    // Only p hears from the new leader: it commits (with p) whatever its configuration allows.
    cluster.dropWhen(e -> e.message() instanceof RaftMessage.AppendEntries && e.from() == leader
        && e.to() == q);
    cluster.run(100);
    // Now {leader, p} | {1, q, 5}: 1 or 5 may win with the majority {1, q, 5} of five.
    cluster.heal();
    cluster.partition(Set.of(leader, p));
    cluster.run(3_000);
    cluster.heal();
    cluster.run(3_000);
    return cluster.violations();
  }

  private static int awaitLeaderAmong(Cluster cluster, List<Integer> ids) {
    for (int i = 0; i < 500; i++) {
      for (int id : ids) {
        if (cluster.raft(id).role() == Role.LEADER) {
          return id;
        }
      }
      cluster.advance(10);
    }
    throw new AssertionError("no leader among " + ids);
  }

  @Test
  void aChangeBeforeTheNewLeaderCommitsInItsTermLosesCommittedEntries() {
    assertThat(race(Raft.Bug.CHANGE_BEFORE_OWN_TERM_COMMIT)).isNotEmpty()
        .anySatisfy(v -> assertThat(v).containsAnyOf("committed as", "two leaders"));
  }

  @Test
  void committingInItsOwnTermFirstKeepsTheRaceSafe() {
    assertThat(race(Raft.Bug.NONE)).isEmpty();
  }
}
