package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lagging replica executes a batch that t+1 members report executed ({@link PbftMessage.Fill}
 * from {@link Retransmit#resend}), without a commit quorum of its own: the quorum that committed
 * it may have counted a commit that was lost since. t claims, or one liar's repeated claims,
 * execute nothing.
 */
class ExecutedClaimTest {
  /** Checkpoint every 4 sequence numbers, window 8, one request per batch. */
  private static Net net() {
    return new Net(c -> c.withLog(1, 4, 8));
  }

  /** The log lost from its first entry on (hard state and snapshot intact). */
  private static Recovered logLost(Recovered r) {
    long from = r.entries().get(0).index();
    long last = r.entries().get(r.entries().size() - 1).index();
    List<LogEntry> none = List.of();
    return new Recovered(r.hardState(), r.snapshot(), none,
        new Recovered.Damage(from, last, 0, "a bit flip in the log"));
  }

  /** Sequence number 1 commits at 0, 1 and 2 while replica 3 hears nothing. */
  private static Net committedWithoutReplicaThree() {
    Net net = net();
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    net.send(net.request(), 0, 1, 2);
    net.run();
    assertThat(net.nodes[0].lastExecuted()).isEqualTo(1);
    assertThat(net.nodes[2].lastExecuted()).isEqualTo(1);
    assertThat(net.nodes[3].lastExecuted()).isZero();
    return net;
  }

  @Test
  void aBatchThatTPlusOneReplicasReportExecutedExecutesWhereItsCommitQuorumCountedALostCommit() {
    Net net = committedWithoutReplicaThree();
    // Replica 1's commit, one of the three that committed seq 1, is lost with its log; it
    // repairs and may not vote there again.
    net.restart(1, logLost(net.disks[1].recovered()));
    assertThat(net.nodes[1].repairing()).isTrue();
    // Replica 3 comes back but votes in no view the others are in (as one that moved alone
    // into a later view): only its status reaches them.
    net.filter = m -> m.from() == 3 && !(m.message() instanceof PbftMessage.Status) ? null : m;
    net.runFor(500, 50);
    // Only 0 and 2 can still commit seq 1 in view 0: two commits, never a quorum of three.
    for (int i : new int[] {1, 3}) {
      assertThat(net.nodes[i].lastExecuted()).as("replica %d", i).isEqualTo(1);
      assertThat(net.state[i]).as("replica %d", i).isEqualTo(net.state[0]);
    }
  }

  @Test
  void tClaimsOrOneLiarsRepeatedClaimsExecuteNothing() {
    Net net = committedWithoutReplicaThree();
    Request forged = Request.command(io.lockstep.machine.ClientId.of("c"), 99, new byte[] {1});
    PbftMessage.Fill lie = new PbftMessage.Fill(2, new Batch(net.now, List.of(forged)));
    for (int i = 0; i < 3; i++) {
      net.nodes[1].step(new Input.Receive(3, lie));
    }
    net.run();
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(1);
    assertThat(net.nodes[1].slots.get(2L).committed()).isNull();
    assertThat(net.nodes[1].dropsByReason()).containsEntry("fill of a batch no commit names", 3L);
    // A second member claiming the same batch makes t+1 (the threshold; two liars are more
    // than t): now it counts as committed.
    net.nodes[1].step(new Input.Receive(0, lie));
    assertThat(net.nodes[1].slots.get(2L).committed()).isEqualTo(lie.batch().digest());
  }
}
