package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A state transfer that no source serves must not silence the request timer for ever
 * ({@link StateTransfer#stalled()}), and the transfer still completes once a source answers.
 */
class StateTransferStallTest {
  @Test
  void aTransferNoSourceServesStallsLetsTheRequestTimerRunAndCompletesLater() {
    Net net = new Net(c -> c.withLog(1, 4, 8).withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    for (int i = 0; i < 10; i++) {
      net.send(net.request(), 0, 1, 2);
      net.run();
    }
    assertThat(net.nodes[0].stableSeq()).isEqualTo(8);
    // Reconnected, but every state chunk is lost: replica 3 learns the stable checkpoint and
    // fetches it in vain. A request it holds can only execute once its state is there.
    net.filter = m -> m.message() instanceof PbftMessage.StateChunk ? null : m;
    Request request = net.request();
    net.send(request);
    net.runFor(800, 10);
    Pbft laggard = net.nodes[3];
    assertThat(laggard.transfer.active()).isTrue();
    assertThat(laggard.transfer.stalled()).as("3 sources x 4 periods: still trying").isFalse();
    assertThat(laggard.suspicions.suspects()).as("the timer is silenced while it tries")
        .isFalse();

    String firstReason = null;
    for (int step = 0; step < 200; step++) {
      net.runFor(10, 10);
      if (firstReason == null && laggard.suspicions.suspects()) {
        firstReason = laggard.suspicions.reason();
        assertThat(laggard.transfer.stalled()).as("only once stalled").isTrue();
      }
    }
    assertThat(laggard.transfer.stalled()).isTrue();
    assertThat(laggard.transfer.stalls).isEqualTo(1);
    assertThat(laggard.dropsByReason().keySet()).anyMatch(r -> r.contains("transfer stalled"));
    assertThat(firstReason).as("its own timers ran again")
        .containsAnyOf("a request waited", "unordered");
    for (int i = 0; i < 3; i++) {
      assertThat(net.nodes[i].view()).as("one replica alone moves nobody: "
          + net.nodes[i].viewChanges.lastReason).isZero();
      assertThat(net.requests(i)).as("replica " + i).endsWith(request);
    }

    // A source answers again: the transfer completes and the state is the others'.
    net.filter = m -> m;
    net.runFor(1_000, 10);
    assertThat(laggard.transfer.active()).isFalse();
    assertThat(laggard.lastExecuted()).isGreaterThanOrEqualTo(8);
    long seq = laggard.lastExecuted();
    assertThat(net.nodes[0].checkpoints.state(8L)).isNotNull();
    assertThat(laggard.checkpoints.state(8L)).isNotNull();
    assertThat(Arrays.equals(laggard.checkpoints.state(8L).toByteArray(),
        net.nodes[0].checkpoints.state(8L).toByteArray())).as("seq " + seq).isTrue();
  }

  /**
   * A lagging backup forwards a request it holds unordered, but the cluster executed it while
   * the backup was away: the primary must not order it again (backups that executed it no
   * longer hold it, so the batch would wait and the primary's own timer would change view).
   */
  @Test
  void aForwardedRequestThePrimaryAlreadyExecutedIsDropped() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Request request = net.request();
    net.send(request, 0, 1, 2);
    net.run();
    assertThat(net.nodes[0].lastExecuted()).isEqualTo(1);
    net.deliver(new Net.Msg(3, 0, new PbftMessage.Forward(request)));
    net.runFor(1_000, 10);
    assertThat(net.nodes[0].dropsByReason())
        .containsEntry("forwarded request this primary already executed", 1L);
    assertThat(net.nodes[0].pending.isEmpty()).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isZero();
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(1);
    }
  }
}
