package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/**
 * Suspicions before view changes ({@link Suspicions}): a replica whose own evidence turns
 * against the primary says so and stays in the view; t+1 suspicions, its own among them, make
 * it sign a view change.
 */
class SuspicionTest {
  @Test
  void aReplicaWhoseTimerExpiresAloneSuspectsButStaysInTheViewAndGoesOnWhenHealed() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    Request first = net.request();
    net.send(first, 3);
    net.runFor(10_000, 50);
    assertThat(net.nodes[3].view()).isZero();
    assertThat(net.nodes[3].changingView()).isFalse();
    assertThat(net.nodes[3].suspicions.suspects()).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isZero();
    }
    // Healed; the client sends its request to everyone: ordered in view 0, replica 3 included.
    net.filter = m -> m;
    net.send(first);
    net.runFor(1_000, 20);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isZero();
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
      assertThat(net.requests(i)).as("replica " + i).containsExactly(first);
    }
    assertThat(net.nodes[3].suspicions.suspects()).as("withdrawn once its request ran").isFalse();
    // It still takes part: with replica 2 cut off instead, 0, 1 and 3 are the quorum.
    net.filter = m -> m.from() == 2 || m.to() == 2 ? null : m;
    Request second = net.request();
    net.send(second, 0, 1, 3);
    net.runFor(500, 20);
    assertThat(net.requests(3)).containsExactly(first, second);
    assertThat(net.requests(0)).containsExactly(first, second);
  }

  @Test
  void tPlusOneSuspicionsOfASilentPrimaryChangeTheView() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 0 ? null : m;
    Request request = net.request();
    net.send(request);
    net.runFor(2_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
      assertThat(net.requests(i)).as("replica " + i).containsExactly(request);
    }
    assertThat(net.nodes[1].viewChanges.lastReason)
        .containsAnyOf("a request waited", "t+1 replicas moved");
    assertThat(java.util.stream.IntStream.range(1, 4)
        .mapToObj(i -> net.nodes[i].viewChanges.lastReason))
        .anyMatch(reason -> reason.contains("replicas suspect the primary"));
  }

  @Test
  void othersSuspicionsAloneNeverMoveAReplica() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    for (int round = 0; round < 20; round++) {
      net.deliver(new Net.Msg(2, 1, new PbftMessage.Suspect(0)));
      net.deliver(new Net.Msg(3, 1, new PbftMessage.Suspect(0)));
      net.runFor(100, 20);
    }
    assertThat(net.nodes[1].view()).isZero();
    assertThat(net.nodes[1].changingView()).isFalse();
    assertThat(net.nodes[1].suspicions.suspects()).isFalse();
  }

  @Test
  void oneOtherSuspicionAndThisReplicasOwnEvidenceAreTPlusOne() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    net.send(net.request(), 3);
    net.runFor(150, 50); // its timer has not expired yet
    net.deliver(new Net.Msg(1, 3, new PbftMessage.Suspect(0)));
    assertThat(net.nodes[3].changingView()).isFalse();
    net.runFor(200, 50);
    assertThat(net.nodes[3].changingView()).isTrue();
    assertThat(net.nodes[3].view()).isEqualTo(1);
    assertThat(net.nodes[3].viewChanges.lastReason)
        .startsWith("a request waited").contains("2 replicas suspect the primary");
  }

  @Test
  void aSuspicionThatLappedIsNotCounted() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    net.deliver(new Net.Msg(1, 3, new PbftMessage.Suspect(0)));
    net.runFor(600, 50); // more than two time-outs pass before replica 3 has evidence
    net.send(net.request(), 3);
    net.runFor(300, 50);
    assertThat(net.nodes[3].suspicions.suspects()).isTrue();
    assertThat(net.nodes[3].changingView()).isFalse();
  }

  @Test
  void aSuspicionOfAnotherViewIsDroppedAndCounted() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.runFor(100, 20);
    net.deliver(new Net.Msg(2, 1, new PbftMessage.Suspect(4)));
    assertThat(net.nodes[1].dropsByReason())
        .containsEntry("suspicion of another view's primary", 1L);
  }
}
