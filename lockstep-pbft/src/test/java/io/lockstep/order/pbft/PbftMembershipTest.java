package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Replacing a replica of a PBFT cluster: the change is ordered as the administrator's
 * {@code SetReplicas}, takes effect at its boundary on every replica, the spare catches up by
 * state transfer, and the new configuration orders with it.
 */
class PbftMembershipTest {
  /** max-batch 1, K = 4, L = 8: the required distance is 8 positions, one window. */
  static final UnaryOperator<PbftConfig> SMALL = c -> c.withLog(1, 4, 8);
  static final TreeSet<Integer> REPLACED = new TreeSet<>(List.of(0, 1, 2, 4));

  @Test
  void aSpareReplacesAReplicaAtTheBoundaryAndTheNewConfigurationOrdersWithIt() {
    MemberNet net = new MemberNet(SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    writes(net, 3);
    long orderedAt = net.nodes[0].lastExecuted() + 1;
    net.setReplicas(REPLACED);
    net.run();
    writes(net, 20);
    for (int i : new int[] {0, 1, 2, 4}) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactly(0, 1, 2, 4);
    }
    assertThat(net.nodes[0].stableSeq()).isGreaterThan(orderedAt + 8);
    assertThat(net.nodes[4].lastExecuted()).as("the spare caught up")
        .isEqualTo(net.nodes[0].lastExecuted());
    assertThat(net.chains[4]).isEqualTo(net.chains[0]);

    // Without replica 3 (removed) and replica 1, only 0, 2 and the former spare remain: a
    // quorum of the new configuration only if the spare counts.
    net.isolated.addAll(List.of(1, 3));
    List<Request> later = writes(net, 6);
    for (int i : new int[] {0, 2, 4}) {
      assertThat(net.requests(i)).as("replica " + i).containsAll(later);
      assertThat(net.chains[i]).isEqualTo(net.chains[0]);
    }
  }

  @Test
  void onAnIdleClusterTheChangeTakesEffectWithoutClientRequests() {
    MemberNet net = new MemberNet(SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    writes(net, 3);
    net.setReplicas(REPLACED);
    net.runFor(2_000, 50); // no client sends anything after the operator's command
    for (int i : new int[] {0, 1, 2, 4}) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactly(0, 1, 2, 4);
      assertThat(net.executors[i].current().replicas()).as("replica %d's executor", i)
          .containsExactlyElementsOf(REPLACED);
    }
    assertThat(net.nodes[4].lastExecuted()).as("the spare caught up")
        .isEqualTo(net.nodes[0].lastExecuted());
    long settled = net.nodes[0].lastExecuted();
    net.runFor(2_000, 50);
    assertThat(net.nodes[0].lastExecuted()).as("null batches stop once the change is in force")
        .isEqualTo(settled);
    // The new configuration orders: without 1 and the removed 3, the former spare's vote counts.
    net.isolated.addAll(List.of(1, 3));
    List<Request> later = writes(net, 3);
    assertThat(net.requests(4)).containsAll(later);
  }

  @Test
  void anIdleClusterWithNoChangeOrdersNothing() {
    MemberNet net = new MemberNet(SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    writes(net, 3);
    long executed = net.nodes[0].lastExecuted();
    net.runFor(2_000, 50);
    assertThat(net.nodes[0].lastExecuted()).isEqualTo(executed);
  }

  @Test
  void withoutTheChangeTheSameTwoFailuresStopTheCluster() {
    MemberNet net = new MemberNet(SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    writes(net, 23);
    net.isolated.addAll(List.of(1, 3));
    List<Request> later = writes(net, 6);
    assertThat(net.requests(0)).doesNotContainAnyElementsOf(later);
  }

  @Test
  void aChangeRacingAViewChangeLosesNoCommittedWrite() {
    MemberNet net = new MemberNet(SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    writes(net, 3);
    net.setReplicas(REPLACED);
    net.run();
    // The primary goes silent while the change is on its way to its boundary: the view
    // change that follows straddles it.
    net.isolated.add(0);
    List<Request> during = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      during.add(net.write());
      net.runFor(300, 50);
    }
    net.isolated.clear();
    List<Request> after = writes(net, 12);
    Pbft one = net.nodes[1];
    assertThat(one.view()).isGreaterThan(0);
    assertThat(one.membership.current().members()).containsExactly(0, 1, 2, 4);
    for (int i : new int[] {0, 1, 2, 4}) {
      Pbft node = net.nodes[i];
      assertThat(node.membership.current().members()).as("replica " + i)
          .containsExactly(0, 1, 2, 4);
      assertThat(node.lastExecuted()).as("replica " + i).isEqualTo(one.lastExecuted());
      assertThat(net.chains[i]).as("replica " + i + "'s state").isEqualTo(net.chains[1]);
      assertThat(net.requests(i)).as("replica " + i).containsAll(after);
    }
    assertThat(net.nodes[2].status().leader())
        .as("the primary is computed over the new set")
        .isEqualTo(PbftConfiguration.of(REPLACED, 1).primary(one.view()));
  }

  /** {@code count} writes, each run to completion with time for retransmissions. */
  static List<Request> writes(MemberNet net, int count) {
    List<Request> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(net.write());
      net.runFor(100, 50);
    }
    return out;
  }
}
