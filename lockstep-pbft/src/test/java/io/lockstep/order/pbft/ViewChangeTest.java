package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/** View change and new view, request timers with back-off, and the slow-primary check. */
class ViewChangeTest {
  @Test
  void aBatchCommittedInOneViewKeepsItsSequenceNumberInTheNext() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Request first = net.request();
    // Replica 3 sees no commits: only the others execute the first batch in view 0.
    net.filter = m -> m.to() == 3 && m.message() instanceof PbftMessage.Commit ? null : m;
    net.send(first);
    net.run();
    assertThat(net.requests(0)).containsExactly(first);
    assertThat(net.requests(3)).isEmpty();
    // Then the primary falls silent; a new request waits and the timers move everyone on.
    net.filter = m -> m.from() == 0 ? null : m;
    Request second = net.request();
    net.send(second);
    net.runFor(2_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.requests(i)).as("replica " + i).containsExactly(first, second);
      assertThat(net.applied.get(i)).isEqualTo(net.applied.get(1));
    }
  }

  @Test
  void aRequestRetransmittedAfterItExecutedIsOrderedAgainInTheNextView() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Request first = net.request();
    net.filter = m -> m.to() == 3 && m.message() instanceof PbftMessage.Commit ? null : m;
    net.send(first);
    net.run();
    assertThat(net.requests(1)).containsExactly(first);
    // The client has too few replies and sends the same request again, to every replica; the
    // primary falls silent, so the new view re-adopts the batch that already carried it.
    net.filter = m -> m.from() == 0 ? null : m;
    net.send(first);
    Request second = net.request();
    net.send(second);
    net.runFor(2_000, 20);
    // Still short of replies, the client retransmits on each of its time-outs.
    for (int attempt = 0; attempt < 3; attempt++) {
      net.send(first);
      net.runFor(500, 20);
    }
    for (int i = 1; i < 4; i++) {
      // Ordered again (the executor answers it from its session cache): the replies the
      // client waits for come out of that second execution.
      assertThat(net.requests(i)).as("replica " + i).containsOnly(first, second)
          .filteredOn(first::equals).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void withoutANewViewTheTimeOutDoublesForEachViewInARow() {
    Net net = new Net(c -> c.withRequestTimeout(100));
    net.filter = m -> m.from() == 0 || m.message() instanceof PbftMessage.NewView ? null : m;
    net.send(net.request());
    long[] enteredAt = new long[5];
    for (int step = 0; step < 400 && net.nodes[1].view() < 4; step++) {
      net.tick(10);
      net.run();
      long view = net.nodes[1].view();
      if (enteredAt[(int) view] == 0) {
        enteredAt[(int) view] = net.now;
      }
    }
    assertThat(net.nodes[1].view()).isGreaterThanOrEqualTo(4);
    long second = enteredAt[3] - enteredAt[2];
    long first = enteredAt[2] - enteredAt[1];
    assertThat(second).isGreaterThanOrEqualTo(2 * first - 20);
    assertThat(net.nodes[1].changingView()).isTrue();
  }

  @Test
  void aPrimaryThatDodgesTheRequestTimerIsReplacedForBeingSlow() {
    // The request timer (10 s) would never fire in this test; the slow-primary bound does.
    Net net = new Net(c -> c.withRequestTimeout(10_000).withProposeDelay(100));
    net.filter = m -> m.from() == 0 && m.message() instanceof PbftMessage.PrePrepare ? null : m;
    Request request = net.request();
    net.send(request);
    net.runFor(600, 10);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.requests(i)).containsExactly(request);
    }
    assertThat(net.nodes[1].viewChanges.lastReason).contains("unordered");
  }

  @Test
  void tPlusOneViewChangesPullALaggingReplicaAlong() {
    Net net = new Net(c -> c.withRequestTimeout(100));
    // Replica 3 never gets the request, so its own timer never runs.
    Request request = net.request();
    net.send(request, 0, 1, 2);
    net.filter = m -> m.from() == 0 ? null : m;
    for (int step = 0; step < 40 && net.nodes[3].view() == 0; step++) {
      net.tick(10);
      net.run();
    }
    assertThat(net.nodes[3].view()).isEqualTo(1);
    assertThat(net.nodes[3].viewChanges.lastReason).contains("t+1 replicas moved");
  }

  @Test
  void aForgedViewChangeIsDroppedAndCounted() {
    Net net = new Net(c -> c);
    PbftMessage.ViewChange honest = Signing.signViewChange(net.nodes[1].config.signer(), 1, 0,
        java.util.List.of(), java.util.List.of(), java.util.List.of());
    byte[] sig = honest.signature();
    sig[3] ^= 1;
    PbftMessage.ViewChange forged = new PbftMessage.ViewChange(1, 1, 0, java.util.List.of(),
        java.util.List.of(), java.util.List.of(), sig);
    net.nodes[2].step(new io.lockstep.order.Input.Receive(1, forged));
    assertThat(net.nodes[2].dropsByReason()).containsKey("view change with a bad signature");
    net.nodes[2].step(new io.lockstep.order.Input.Receive(3, honest));
    assertThat(net.nodes[2].dropsByReason())
        .containsKey("view change signed for another replica than its sender");
  }

  @Test
  void theConfigurationsQuorumIs2tPlus1SoTheMarginCountsFromIt() {
    java.util.List<Integer> members = java.util.List.of(0, 1, 2, 3, 4, 5, 6);
    Pbft replica = new Pbft(PbftConfig.defaults(1, members, 2, io.lockstep.identity.Ed25519Signer
        .signers(io.lockstep.identity.Ed25519Signer.seededKeyPairs(members, 11)).get(1)));
    assertThat(replica.configuration().quorum()).isEqualTo(5);
    assertThat(replica.configuration().margin(0)).as("7 replicas, t = 2: 7 - 5").isEqualTo(2);
  }

  @Test
  void aRequestTakenBeforeTheFirstTickIsNotOldAtTheFirstTick() {
    java.util.List<Integer> members = java.util.List.of(0, 1, 2, 3);
    Pbft backup = new Pbft(PbftConfig.defaults(1, members, 1, io.lockstep.identity.Ed25519Signer
        .signers(io.lockstep.identity.Ed25519Signer.seededKeyPairs(members, 11)).get(1)));
    backup.step(new io.lockstep.order.Input.Propose(Request.command(
        io.lockstep.machine.ClientId.of("c"), 1, new byte[] {1})));
    long start = 5_000_000;
    for (long t = 0; t <= 200; t += 10) {
      backup.step(new io.lockstep.order.Input.Tick(start + t, 1_700_000_000_000L + t));
      backup.ready();
    }
    assertThat(backup.changingView()).as(backup.viewChanges.lastReason).isFalse();
  }

  /**
   * Certificates do not mix views: a replica that lagged behind the old view can only execute
   * a batch the new view carried again once 2t+1 replicas commit it in the new view, and a
   * replica that executed it earlier commits again only on 2t matching prepares. Here the new
   * primary (1) missed the view-0 commits of seq 1 and replica 3's prepare of it in view 1 is
   * lost on its way to replica 2. Replicas 2 and 3 executed seq 1 long ago, so unless they
   * repeat their part for it until it is committed in view 1, replica 1 waits for ever.
   */
  @Test
  void aLostPrepareForABatchExecutedInAnEarlierViewIsRepeatedUntilItCommitsInTheNewView() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Request first = net.request();
    Net.Filter noOldCommitsToOne = m -> m.to() == 1
        && m.message() instanceof PbftMessage.Commit c && c.view() == 0 ? null : m;
    net.filter = noOldCommitsToOne;
    net.send(first);
    net.run();
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(1);
    assertThat(net.nodes[1].lastExecuted()).as("the next primary lags").isZero();
    int[] lost = {0};
    net.filter = m -> {
      if (m.from() == 0 || m.to() == 0) {
        return null; // the old primary falls silent
      }
      if (m.from() == 3 && m.to() == 2 && m.message() instanceof PbftMessage.Prepare p
          && p.view() == 1 && p.seq() == 1 && lost[0]++ == 0) {
        return null;
      }
      return noOldCommitsToOne.apply(m);
    };
    Request second = net.request();
    net.send(second, 1, 2, 3);
    net.runFor(3_000, 20);
    assertThat(lost[0]).as("the prepare was sent in view 1 and lost once").isPositive();
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(2);
    }
    assertThat(net.requests(1)).containsExactly(first, second);
  }

  /**
   * Castro and Liskov's first liveness rule: the time-out for a new view starts only once 2t+1
   * view changes for it are in. A replica that asked for a view alone (cut off from its peers,
   * its timer expired while one faulty peer happened to suspect the primary too) stays in the
   * view it asked for instead of moving on by itself; when the others' timers expire later they
   * ask for that same view, and it forms at once.
   */
  @Test
  void aReplicaThatAskedForAViewAloneWaitsThereUntilAQuorumAsksForItToo() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    Request first = net.request();
    net.send(first, 3);
    net.deliver(new Net.Msg(2, 3, new PbftMessage.Suspect(0)));
    net.runFor(10_000, 50);
    assertThat(net.nodes[3].view()).as("its own view change only").isEqualTo(1);
    assertThat(net.nodes[3].changingView()).isTrue();
    assertThat(net.nodes[0].view()).isZero();
    // Healed, but the primary falls silent; the client sends its request to everyone, and the
    // others' timers expire: they ask for view 1 too, where replica 3 waits.
    net.filter = m -> m.from() == 0 ? null : m;
    net.send(first);
    net.runFor(1_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
      assertThat(net.requests(i)).as("replica " + i).containsExactly(first);
    }
  }
}
