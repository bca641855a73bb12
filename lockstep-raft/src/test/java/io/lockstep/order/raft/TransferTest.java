package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leadership transfer (§3.10). */
class TransferTest {
  @Test
  void leadershipTransferHandsLeadershipToTheTargetWithoutWaitingForTimeouts() {
    Cluster cluster = new Cluster(3, 71);
    cluster.makeLeader(1);
    long term = cluster.raft(1).status().term();
    cluster.step(1, new Input.TransferLeadership(3));
    assertThat(cluster.inFlight()).anyMatch(e -> e.to() == 3
        && e.message().equals(new RaftMessage.TimeoutNow(term)));
    cluster.deliverAll();
    assertThat(cluster.leader()).isEqualTo(3);
    assertThat(cluster.raft(3).status().term()).isEqualTo(term + 1);
    assertThat(cluster.raft(1).status().role()).isEqualTo(Role.FOLLOWER);
  }

  @Test
  void proposalsAreRedirectedWhileATransferIsInProgressAndAcceptedAfterItIsGivenUp() {
    Cluster cluster = new Cluster(3, 72);
    cluster.makeLeader(1);
    cluster.isolate(3);
    cluster.step(1, new Input.TransferLeadership(3));
    Request during = cluster.propose(1, "during");
    assertThat(cluster.node(1).redirects).containsExactly(
        new Ready.Redirect(during, -1, 3, "leadership transfer in progress"));
    cluster.run(310); // an election timeout later the transfer is abandoned
    Request after = cluster.propose(1, "after");
    cluster.run(100);
    assertThat(cluster.leader()).isEqualTo(1);
    assertThat(cluster.node(2).stable).extracting(Ordered::request).containsExactly(after);
  }

  @Test
  void transferCatchesALaggingTargetUpBeforeTimeoutNow() {
    Cluster cluster = new Cluster(3, 73);
    cluster.makeLeader(1);
    cluster.cut(1, 3);
    List<Request> missed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      missed.add(cluster.propose(1, "m" + i));
    }
    cluster.run(100);
    cluster.heal();
    List<RaftMessage> toTarget = new ArrayList<>();
    cluster.dropWhen(e -> {
      if (e.from() == 1 && e.to() == 3) {
        toTarget.add(e.message());
      }
      return false;
    });
    cluster.step(1, new Input.TransferLeadership(3));
    cluster.deliverAll();
    assertThat(cluster.leader()).isEqualTo(3);
    int timeoutNow = indexOf(toTarget, RaftMessage.TimeoutNow.class);
    int append = indexOf(toTarget, RaftMessage.AppendEntries.class);
    assertThat(append).isNotNegative().isLessThan(timeoutNow);
    cluster.run(100);
    assertThat(cluster.node(3).stable).extracting(Ordered::request).containsAll(missed);
  }

  private static int indexOf(List<RaftMessage> messages, Class<?> type) {
    for (int i = 0; i < messages.size(); i++) {
      if (type.isInstance(messages.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void transferToANonMemberIsRejected() {
    Cluster cluster = new Cluster(3, 74);
    cluster.makeLeader(1);
    assertThatThrownBy(() -> cluster.step(1, new Input.TransferLeadership(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transfer target 9 is not one of the voters");
  }

  @Test
  void transferAtAFollowerDoesNothing() {
    Cluster cluster = new Cluster(3, 75);
    cluster.makeLeader(1);
    cluster.step(2, new Input.TransferLeadership(3));
    cluster.run(100);
    assertThat(cluster.leader()).isEqualTo(1);
  }
}
