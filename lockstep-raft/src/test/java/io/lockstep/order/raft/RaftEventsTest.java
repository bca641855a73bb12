package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.order.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Raft tells the journal what changed in a step: an election it starts, the vote it grants, the
 * leader it learns or becomes, the positions that became stable, and a message it rejected with
 * the reason; drained once, then forgotten.
 */
class RaftEventsTest {
  private static List<String> describe(List<Event> events) {
    List<String> out = new ArrayList<>();
    for (Event e : events) {
      out.add(e.kind() + " peer=" + e.peer() + " term=" + e.term() + " position=" + e.position());
    }
    return out;
  }

  @Test
  void anElectionReadsAsElectionVoteAndLeaderOnTheReplicasInvolved() {
    Cluster cluster = new Cluster(3, 7);
    cluster.campaignUntilLeader(1);
    long term = cluster.raft(1).status().term();
    assertThat(describe(cluster.raft(1).drainEvents()))
        .contains("ELECTION peer=1 term=" + term + " position=-1",
            "LEADER peer=1 term=" + term + " position=-1");
    List<String> follower = describe(cluster.raft(2).drainEvents());
    assertThat(follower).contains("VOTE peer=1 term=" + term + " position=-1");
    assertThat(cluster.raft(2).drainEvents()).as("drained events are forgotten").isEmpty();
  }

  @Test
  void committedPositionsAreReportedAsStable() {
    Cluster cluster = new Cluster(3, 7);
    cluster.campaignUntilLeader(1);
    cluster.raft(1).drainEvents();
    cluster.propose(1, "x");
    cluster.run(200);
    assertThat(cluster.raft(1).status().role()).isEqualTo(Role.LEADER);
    long commit = cluster.raft(1).status().commitIndex();
    assertThat(cluster.raft(1).drainEvents()).filteredOn(e -> e.kind() == Event.Kind.STABLE)
        .extracting(Event::position).isNotEmpty().last().isEqualTo(commit);
  }

  @Test
  void aRejectedMessageIsADropWithTheReasonAndNoPeer() {
    Raft raft = Nodes.withLog(1, 2, 1, 2);
    raft.drainEvents();
    // A replica outside the configuration is heard (membership changes); an invalid id is not.
    Nodes.receive(raft, -4, new RaftMessage.Heartbeat(2, 0, 0));
    List<Event> events = raft.drainEvents();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).kind()).isEqualTo(Event.Kind.DROP);
    assertThat(events.get(0).peer()).isEqualTo(Event.NONE);
    assertThat(events.get(0).detail()).startsWith("Heartbeat from -4: ")
        .contains("invalid id -4");
  }
}
