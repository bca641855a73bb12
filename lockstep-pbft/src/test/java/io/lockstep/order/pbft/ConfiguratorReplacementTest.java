package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The configurator in a scripted Byzantine cluster (four replicas, spare 4): a member that
 * t+1 replicas report silent past the bound is replaced by the spare through an ordered
 * {@code SetReplicas}, with no operator and no client traffic; neither a lying replica nor a
 * lying primary can have a correct replica replaced.
 */
class ConfiguratorReplacementTest {
  private static final TreeSet<Integer> REPLACED = new TreeSet<>(List.of(0, 1, 2, 4));
  private static final long BOUND = 1_000;

  private static MemberNet net() {
    MemberNet net = starting();
    PbftMembershipTest.writes(net, 3);
    return net;
  }

  /** The cluster as it starts: configurators on, nobody heard from anybody yet. */
  private static MemberNet starting() {
    MemberNet net = new MemberNet(PbftMembershipTest.SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    for (Pbft node : net.nodes) {
      node.replaceSilentVoters(List.of(4), BOUND);
    }
    return net;
  }

  /**
   * A replica still starting when the others begin is not a failed one (replica processes
   * start seconds apart): 3 is first heard 5 s after the others, well past the bound and its
   * slack, and keeps its place, as it has not been heard before. Without the start grace the
   * primary replaced it.
   */
  @Test
  void aReplicaFirstHeardLateAfterTheClusterStartsKeepsItsPlace() {
    MemberNet net = starting();
    net.isolated.add(3);
    net.runFor(5_000, 50);
    net.isolated.clear();
    PbftMembershipTest.writes(net, 3);
    net.runFor(3_000, 50);
    assertFileSetEverywhere(net);
  }

  /** Every replica still has the cluster file's set: nobody was replaced. */
  private static void assertFileSetEverywhere(MemberNet net) {
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactly(0, 1, 2, 3);
      assertThat(net.executors[i].current().replicas()).isEmpty(); // still the file's set
    }
  }

  /** One never heard at all is replaced too, once the start grace and the bound have passed. */
  @Test
  void aReplicaNeverHeardIsReplacedOnceTheStartGraceAndTheBoundHavePassed() {
    MemberNet net = starting();
    net.isolated.add(3);
    PbftMembershipTest.writes(net, 3);
    net.runFor(io.lockstep.order.Coordination.START_GRACE_MILLIS, 50);
    assertThat(net.nodes[0].membership.current().members()).containsExactly(0, 1, 2, 3);
    net.runFor(6_000, 50);
    for (int i : REPLACED) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactlyElementsOf(REPLACED);
    }
  }

  @Test
  void aMemberSilentPastTheBoundIsReplacedByTheSpareAndTheNewSetOrders() {
    MemberNet net = net();
    net.isolated.add(3);
    net.runFor(6_000, 50);
    for (int i : REPLACED) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactlyElementsOf(REPLACED);
      assertThat(net.executors[i].current().replicas()).as("replica %d's executor", i)
          .containsExactlyElementsOf(REPLACED);
    }
    assertThat(net.nodes[4].lastExecuted()).isEqualTo(net.nodes[0].lastExecuted());
    // A second failure, of 1: only 0, 2 and the former spare are left, a quorum with it.
    net.isolated.add(1);
    List<Request> later = PbftMembershipTest.writes(net, 3);
    for (int i : new int[] {0, 2, 4}) {
      assertThat(net.requests(i)).as("replica " + i).containsAll(later);
    }
  }

  /**
   * Of two spares, one that keeps up comes before an earlier-listed one that does not: spare 5
   * (listed first; this net has no such replica, and messages to it are dropped) has reported
   * nothing executed, and 4 takes 3's place. Taking the first spare heard put 5 in.
   */
  @Test
  void aSpareThatKeepsUpIsChosenBeforeOneListedEarlierThatDoesNot() {
    MemberNet net = new MemberNet(PbftMembershipTest.SMALL, MembershipSchedule.Rule.AT_BOUNDARY);
    for (Pbft node : net.nodes) {
      node.replaceSilentVoters(List.of(5, 4), BOUND);
    }
    net.isolated.add(5);
    PbftMembershipTest.writes(net, 3);
    net.isolated.add(3);
    net.runFor(6_000, 50);
    for (int i : REPLACED) {
      assertThat(net.nodes[i].membership.current().members()).as("replica " + i)
          .containsExactlyElementsOf(REPLACED);
    }
  }

  @Test
  void aMemberSilentForLessThanTheBoundKeepsItsPlace() {
    MemberNet net = net();
    net.isolated.add(3);
    net.runFor(900, 50);
    net.isolated.clear();
    net.runFor(4_000, 50);
    assertFileSetEverywhere(net);
  }

  @Test
  void oneReplicaReportingACorrectOneSilentHasItReplacedNowhere() {
    MemberNet net = net();
    net.filter = m -> m.from() == 1 && m.message() instanceof PbftMessage.Status s
        ? new MemberNet.Msg(1, m.to(), new PbftMessage.Status(s.view(), s.changingView(),
            s.executed(), s.stableSeq(), Map.of(2, 1_000_000L, 3, 1_000_000L)))
        : m;
    net.runFor(5_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.executors[i].current().replicas()).as("replica " + i).isEmpty();
    }
  }

  @Test
  void backupsDoNotPrepareAPrimarysReplacementOfAReplicaTheyHear() {
    MemberNet net = net();
    long seq = net.nodes[1].lastExecuted() + 1;
    Request forged = Request.command(ClientId.of(SystemCommands.adminSession(
        Replacement.SESSION).value() + seq), 1, SystemCommands.encode(
            new SystemCommand.SetReplicas(new TreeSet<>(List.of(0, 1, 3, 4)), 0)));
    PbftMessage.PrePrepare pp = new PbftMessage.PrePrepare(0, seq,
        new Batch(1_700_000_000_000L + net.now, List.of(forged)));
    for (int i = 1; i < 4; i++) {
      net.nodes[i].step(new Input.Receive(0, pp));
    }
    net.runFor(3_000, 50);
    for (int i = 1; i < 4; i++) {
      Slot slot = net.nodes[i].slots.get(seq);
      assertThat(slot == null || !slot.prepareSent || net.nodes[i].view() > 0)
          .as("replica %d prepared it", i).isTrue();
      assertThat(net.executors[i].current().replicas()).as("replica " + i).isEmpty();
      // The held-back proposal ran the request timer: the primary that made it is replaced.
      assertThat(net.nodes[i].view()).as("replica %d's view", i).isPositive();
    }
    List<Request> later = PbftMembershipTest.writes(net, 2);
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsAll(later);
    }
  }
}
