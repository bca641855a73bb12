package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Ordered;
import io.lockstep.order.Role;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The normal case: pre-prepare, prepare, commit, batching, execution order, agreed time. */
class NormalCaseTest {
  @Test
  void everyReplicaExecutesTheSameBatchesInSequenceOrder() {
    Net net = new Net(c -> c);
    List<Request> sent = List.of(net.request(), net.request(), net.request());
    sent.forEach(r -> net.send(r));
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactlyElementsOf(sent);
      assertThat(net.applied.get(i)).isEqualTo(net.applied.get(0));
    }
    assertThat(net.nodes[0].status().role()).isEqualTo(Role.LEADER);
    // The three arrived before the primary drained, so they went out as one batch.
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(1);
  }

  @Test
  void pipelinedBatchesGetConsecutiveSequenceNumbersAndIncreasingPositions() {
    Net net = new Net(c -> c.withLog(2, 4, 8));
    for (int i = 0; i < 5; i++) {
      net.send(net.request());
    }
    net.run();
    assertThat(net.nodes[2].lastExecuted()).isEqualTo(3);
    List<Ordered> applied = net.applied.get(2);
    for (int i = 1; i < applied.size(); i++) {
      assertThat(applied.get(i).position()).isGreaterThan(applied.get(i - 1).position());
      assertThat(applied.get(i).time()).isGreaterThanOrEqualTo(applied.get(i - 1).time());
    }
  }

  @Test
  void aBackupPreparesOnlyRequestsItHoldsFromTheClient() {
    Net net = new Net(c -> c);
    Request forged = net.request();
    net.send(forged, 0); // only the primary holds it: to the backups it is made up
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).isEmpty();
    }
    net.send(forged, 1, 2, 3); // the client's own copies arrive: now the backups prepare
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactly(forged);
    }
  }

  @Test
  void aBackupRefusesAnAgreedTimeBeyondItsClockBound() {
    Net net = new Net(c -> c.withRequestTimeout(300));
    net.clockOffset[0] = 3_600_000; // the primary's wall clock is an hour ahead
    net.tick(1);
    net.send(net.request());
    net.run();
    assertThat(net.requests(1)).isEmpty();
    assertThat(net.nodes[1].dropsByReason())
        .containsKey("pre-prepare time outside this replica's clock bound");
    net.runFor(2_000, 20); // request timers expire: view 1, whose primary's clock is right
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).hasSize(1);
      assertThat(net.nodes[i].view()).isEqualTo(1);
    }
    long time = net.applied.get(2).get(0).time();
    assertThat(Math.abs(time - (1_700_000_000_000L + net.now))).isLessThan(3_000);
  }

  @Test
  void aReadIsGrantedAtTheExecutedPosition() {
    Net net = new Net(c -> c);
    net.send(net.request());
    net.run();
    net.nodes[3].step(new io.lockstep.order.Input.Read(7));
    var grants = net.nodes[3].ready().reads();
    assertThat(grants).hasSize(1);
    assertThat(grants.get(0).position())
        .isEqualTo(net.nodes[3].status().commitIndex())
        .isGreaterThanOrEqualTo(net.applied.get(3).get(0).position());
  }
}
