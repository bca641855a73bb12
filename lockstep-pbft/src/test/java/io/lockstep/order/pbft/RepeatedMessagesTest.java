package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the primary's repeated pre-prepares and the peers' fills do at a replica that already
 * has what they carry. They arrive all the time under load (retransmission every
 * {@code retransmitMs}, a fill for every status that looks behind), so they are compared by
 * content or ignored rather than hashed again, and that must not change what they decide.
 */
class RepeatedMessagesTest {
  /** A copy of {@code batch} as the codec would decode it: equal, not the same object. */
  private static Batch decoded(Batch batch) {
    return new Batch(batch.time(), new ArrayList<>(batch.requests()));
  }

  private static List<PbftMessage> sentBy(Pbft replica, int to) {
    List<PbftMessage> sent = new ArrayList<>();
    for (Ready.Outbound out : replica.ready().messages()) {
      if (out.to() == to) {
        sent.add((PbftMessage) out.message());
      }
    }
    return sent;
  }

  /** Seq 1 executed everywhere; returns the batch it ordered. */
  private static Batch executedOne(Net net) {
    net.send(net.request());
    net.run();
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(1);
    Slot slot = net.nodes[1].slots.get(1L);
    return slot.contents.get(slot.accepted);
  }

  @Test
  void aRepeatedPrePrepareOfTheAcceptedBatchIsAnsweredWithTheSamePrepare() {
    Net net = new Net(c -> c);
    Batch batch = executedOne(net);
    Pbft backup = net.nodes[1];
    backup.step(new Input.Receive(0, new PbftMessage.PrePrepare(0, 1, decoded(batch))));
    assertThat(sentBy(backup, 0)).containsExactly(
        new PbftMessage.Prepare(0, 1, batch.digest()));
    assertThat(backup.dropsByReason()).doesNotContainKey(
        "conflicting pre-prepare (equivocating primary)");
  }

  @Test
  void aRepeatedPrePrepareWithOtherContentIsEquivocationAndChangesNothing() {
    Net net = new Net(c -> c);
    Batch batch = executedOne(net);
    Pbft backup = net.nodes[1];
    Digest accepted = backup.slots.get(1L).accepted;
    Batch otherTime = new Batch(batch.time() + 1, batch.requests());
    Batch otherRequests = new Batch(batch.time(), List.of(net.request()));
    for (Batch other : List.of(otherTime, otherRequests)) {
      backup.step(new Input.Receive(0, new PbftMessage.PrePrepare(0, 1, other)));
    }
    assertThat(sentBy(backup, 0)).isEmpty();
    assertThat(backup.dropsByReason())
        .containsEntry("conflicting pre-prepare (equivocating primary)", 2L);
    assertThat(backup.slots.get(1L).accepted).isEqualTo(accepted);
  }

  @Test
  void aFillAtACommittedSequenceNumberChangesNothingThere() {
    Net net = new Net(c -> c);
    Batch batch = executedOne(net);
    Pbft backup = net.nodes[1];
    Slot slot = backup.slots.get(1L);
    Request forged = net.request();
    Batch lie = new Batch(batch.time(), List.of(forged));
    // Every other member claims it executed another batch at seq 1: t+1 and more, which would
    // prove it at a slot that had not committed yet.
    for (int from : new int[] {0, 2, 3}) {
      backup.step(new Input.Receive(from, new PbftMessage.Fill(1, lie)));
      backup.step(new Input.Receive(from, new PbftMessage.Fill(1, decoded(batch))));
    }
    assertThat(slot.committed()).isEqualTo(batch.digest());
    assertThat(slot.executedDigest()).isEqualTo(batch.digest());
    assertThat(slot.contents).containsOnlyKeys(batch.digest());
    assertThat(backup.dropsByReason()).doesNotContainKey("fill of a batch no commit names");
    net.run();
    assertThat(net.requests(1)).containsExactlyElementsOf(net.requests(0));
  }
}
