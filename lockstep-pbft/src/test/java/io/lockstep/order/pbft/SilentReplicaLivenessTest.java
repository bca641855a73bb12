package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Liveness with a silent faulty replica: the three correct replicas are then every quorum, so
 * no rule may make one of them wait for something only the silent one would give.
 */
class SilentReplicaLivenessTest {
  @Test
  void aBatchOneCorrectBackupNeverGotARequestOfIsAcceptedOnceAnotherBackupPreparedIt() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    Request request = net.request();
    net.send(request, 0, 1); // replica 2 never gets it from the client
    net.runFor(300, 20);
    for (int i = 0; i < 3; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactly(request);
      assertThat(net.nodes[i].view()).as("replica " + i).isZero();
    }
  }

  @Test
  void thePrimarysPrePrepareAloneDoesNotVouchForARequestABackupDoesNotHold() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Request request = net.request();
    List<ProtocolMessage> fromTwo = net.recordFrom(2);
    Net.Filter record = net.filter;
    // Replicas 1 and 3 silent: only the primary (0) vouches for the request replica 2 lacks.
    net.filter = m -> m.from() == 1 || m.from() == 3 ? null : record.apply(m);
    net.send(request, 0);
    net.runFor(100, 20);
    assertThat(fromTwo).noneMatch(m -> m instanceof PbftMessage.Prepare);
    assertThat(net.requests(2)).isEmpty();
  }

  @Test
  void twoReplicasChangingToAViewTheThirdAlreadyLeftTimeOutAndFollowIt() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 0 || m.to() == 0 ? null : m;
    // Replicas 1 and 2 ask for view 1; replica 3 went on to view 2 without ever asking for 1
    // (as one whose time-out for view 1 ran out while a peer was down and forgot its view
    // changes). View 1 then never has a quorum of its own and view 2 only one asker.
    net.nodes[1].viewChanges.start(1, "test");
    net.nodes[2].viewChanges.start(1, "test");
    net.nodes[3].viewChanges.start(2, "test");
    net.runFor(20_000, 50);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(2);
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
    }
    Request request = net.request();
    net.send(request, 1, 2, 3);
    net.runFor(300, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactly(request);
    }
  }
}
