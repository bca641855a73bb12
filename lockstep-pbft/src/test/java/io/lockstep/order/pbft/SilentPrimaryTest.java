package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A dead primary of an idle cluster (four replicas, spare 4, no client traffic): backups start
 * a view change once t+1 replicas report the primary silent past the configurator's bound, and
 * the new primary's configurator then replaces it; t liars cannot start that view change
 * against a primary the others hear.
 */
class SilentPrimaryTest {
  private static final TreeSet<Integer> WITHOUT_PRIMARY = new TreeSet<>(List.of(1, 2, 3, 4));
  private static final long BOUND = 1_000;

  private static MemberNet net(boolean configurator) {
    MemberNet net = new MemberNet(PbftMembershipTest.SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    if (configurator) {
      for (Pbft node : net.nodes) {
        node.replaceSilentVoters(List.of(4), BOUND);
      }
    }
    PbftMembershipTest.writes(net, 3);
    return net;
  }

  @Test
  void backupsChangeViewWhenTPlusOneReportTheIdlePrimarySilentAndTheNewPrimaryReplacesIt() {
    MemberNet net = net(true);
    net.isolated.add(0); // the primary of view 0 dies while no client sends anything
    net.runFor(8_000, 50);
    for (int i : WITHOUT_PRIMARY) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactlyElementsOf(WITHOUT_PRIMARY);
      assertThat(net.executors[i].current().replicas()).as("replica %d's executor", i)
          .containsExactlyElementsOf(WITHOUT_PRIMARY);
    }
    assertThat(net.nodes[1].viewChanges.lastReason).startsWith("t+1 replicas report primary 0");
    assertThat(net.nodes[4].lastExecuted()).isEqualTo(net.nodes[1].lastExecuted());
    List<Request> later = PbftMembershipTest.writes(net, 3);
    for (int i : WITHOUT_PRIMARY) {
      assertThat(net.requests(i)).as("replica " + i).containsAll(later);
    }
  }

  @Test
  void aPrimarySilentForLessThanTheBoundKeepsItsView() {
    MemberNet net = net(true);
    net.isolated.add(0);
    net.runFor(900, 50);
    net.isolated.clear();
    net.runFor(4_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica %d's view", i).isZero();
      assertThat(net.nodes[i].membership.current().members()).containsExactly(0, 1, 2, 3);
    }
  }

  @Test
  void tLiarsReportingALivePrimarySilentStartNoViewChange() {
    MemberNet net = net(true);
    net.filter = m -> m.from() == 1 && m.message() instanceof PbftMessage.Status s
        ? new MemberNet.Msg(1, m.to(), new PbftMessage.Status(s.view(), s.changingView(),
            s.executed(), s.stableSeq(), Map.of(0, 1_000_000L)))
        : m;
    net.runFor(6_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica %d's view", i).isZero();
      assertThat(net.executors[i].current().replicas()).as("replica " + i).isEmpty();
    }
  }

  @Test
  void withoutAConfiguratorAnIdleClusterKeepsASilentPrimary() {
    MemberNet net = net(false);
    net.isolated.add(0);
    net.runFor(6_000, 50);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica %d's view", i).isZero();
    }
  }
}
