package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fail-stop reliable broadcast (paper §3.1) with FIFO delivery per origin (§3.2.1). */
class ReliableBroadcastTest {
  private static final List<Integer> MEMBERS = List.of(0, 1, 2);

  private static List<String> payloads(List<ReliableBroadcast.Data<String>> delivered) {
    return delivered.stream().map(ReliableBroadcast.Data::payload).toList();
  }

  @Test
  void fifoEachOriginIsDeliveredInSendOrderUnderShuffledAndDuplicatedMessages() {
    ReliableBroadcast<String> origin = new ReliableBroadcast<>(0, MEMBERS);
    ReliableBroadcast<String> receiver = new ReliableBroadcast<>(1, MEMBERS);
    List<ReliableBroadcast.Data<String>> sent = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      ReliableBroadcast.Data<String> d = origin.originate("m" + i);
      sent.add(d);
      sent.add(d); // every message duplicated
    }
    Collections.shuffle(sent, new Random(7));
    List<ReliableBroadcast.Data<String>> delivered = new ArrayList<>();
    for (ReliableBroadcast.Data<String> d : sent) {
      delivered.addAll(receiver.receive(d));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      expected.add("m" + i);
    }
    assertThat(payloads(delivered)).isEqualTo(expected);
    assertThat(receiver.receivedThrough(0)).isEqualTo(50);
  }

  @Test
  void ic2CorrectOriginRetransmitsWhatAPeerHasNotAcknowledged() {
    ReliableBroadcast<String> origin = new ReliableBroadcast<>(0, MEMBERS);
    origin.originate("a");
    origin.originate("b");
    origin.acknowledge(1, 0, 1);
    assertThat(payloads(origin.toResend(1))).containsExactly("b");
    assertThat(payloads(origin.toResend(2))).containsExactly("a", "b");
    origin.acknowledge(1, 0, 2);
    origin.acknowledge(2, 0, 2);
    assertThat(origin.toResend(1)).isEmpty();
    assertThat(origin.keptCount()).isZero();
  }

  @Test
  void ic1ReceiversRelayAFailedOriginsMessagesToPeersThatLackThem() {
    // Origin 0 reached replica 1 only, then failed: 1 relays to 2 once 0 is detected failed.
    ReliableBroadcast<String> origin = new ReliableBroadcast<>(0, MEMBERS);
    ReliableBroadcast<String> one = new ReliableBroadcast<>(1, MEMBERS);
    ReliableBroadcast<String> two = new ReliableBroadcast<>(2, MEMBERS);
    ReliableBroadcast.Data<String> only = origin.originate("put x 1");
    one.receive(only);
    assertThat(one.toResend(2)).as("no relay while the origin is alive").isEmpty();
    one.failed(0);
    two.failed(0);
    List<ReliableBroadcast.Data<String>> relayed = one.toResend(2);
    List<ReliableBroadcast.Data<String>> delivered = new ArrayList<>();
    for (ReliableBroadcast.Data<String> d : relayed) {
      delivered.addAll(two.receive(d));
    }
    assertThat(payloads(delivered)).containsExactly("put x 1");
    one.acknowledge(2, 0, two.receivedThrough(0));
    assertThat(one.toResend(2)).isEmpty();
  }

  @Test
  void aMessageIsKeptUntilEveryLivePeerHasIt() {
    ReliableBroadcast<String> one = new ReliableBroadcast<>(1, MEMBERS);
    one.receive(new ReliableBroadcast.Data<>(0, 1, "x"));
    one.acknowledge(2, 0, 0);
    assertThat(one.keptCount()).isEqualTo(1);
    one.failed(2);
    assertThat(one.keptCount()).as("only a failed peer lacked it").isZero();
  }

  @Test
  void repeatsAndNonMembersAreDeliveredNever() {
    ReliableBroadcast<String> one = new ReliableBroadcast<>(1, MEMBERS);
    assertThat(one.receive(new ReliableBroadcast.Data<>(0, 1, "x"))).hasSize(1);
    assertThat(one.receive(new ReliableBroadcast.Data<>(0, 1, "x"))).isEmpty();
    assertThat(one.receive(new ReliableBroadcast.Data<>(9, 1, "x"))).isEmpty();
    assertThat(one.receive(new ReliableBroadcast.Data<>(1, 1, "mine?"))).isEmpty();
  }

  /**
   * Replica 0's earlier life sent 1..4, of which 2..4 arrived past a gap and stay buffered; it
   * is declared failed at 1, restarts and is readmitted with 1..0 delivered, and numbers its
   * new life from 1. Its old 2..4 must not be delivered after its new 1 as if they were new.
   */
  @Test
  void aReadmittedOriginsEarlierLifeBufferedPastAGapIsNotDeliveredAsItsNewMessages() {
    ReliableBroadcast<String> one = new ReliableBroadcast<>(1, MEMBERS);
    for (int seq = 2; seq <= 4; seq++) {
      assertThat(one.receive(new ReliableBroadcast.Data<>(0, seq, "old" + seq))).isEmpty();
    }
    one.failed(0);
    one.readmit(0);
    assertThat(payloads(one.receive(new ReliableBroadcast.Data<>(0, 1, "new1"))))
        .containsExactly("new1");
    assertThat(payloads(one.receive(new ReliableBroadcast.Data<>(0, 2, "new2"))))
        .containsExactly("new2");
  }
}
