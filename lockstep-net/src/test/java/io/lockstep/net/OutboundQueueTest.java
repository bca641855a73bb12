package io.lockstep.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A queue to a destination that reads nothing (a paused or unreachable peer: no channel to
 * drain onto) stays within its byte and message bounds: it drops the oldest resendable payloads
 * first, refuses new payloads only when nothing resendable is left to drop, and never drops a
 * payload not offered as resendable.
 */
class OutboundQueueTest {
  private final NetStats stats = new NetStats();

  private OutboundQueue queue(int capacity, long bytes) {
    return new OutboundQueue("test peer", NetOptions.defaults().withQueue(capacity, bytes),
        new Rejections("test", stats));
  }

  private static byte[] payload(int size, int label) {
    byte[] p = new byte[size];
    p[0] = (byte) label;
    return p;
  }

  /** What a slow consumer finally reads once the destination comes back: the labels, in order. */
  private static List<Integer> drainLabels(OutboundQueue queue) {
    EmbeddedChannel channel = new EmbeddedChannel();
    queue.attach(channel);
    channel.runPendingTasks();
    List<Integer> labels = new ArrayList<>();
    for (byte[] p; (p = channel.readOutbound()) != null; ) {
      labels.add((int) p[0]);
    }
    return labels;
  }

  @Test
  void aQueueToAPausedPeerDropsItsOldestResendableMessagesAndStaysWithinItsBytes() {
    OutboundQueue queue = queue(8192, 10_000);
    for (int i = 0; i < 100; i++) {
      assertThat(queue.offer(payload(1_000, i), true)).as("offer %d", i).isTrue();
      assertThat(queue.bytes()).isLessThanOrEqualTo(10_000);
    }
    assertThat(queue.size()).isEqualTo(10);
    assertThat(stats.rejected(RejectReason.QUEUE_EVICTED)).isEqualTo(90);
    assertThat(stats.rejected(RejectReason.QUEUE_FULL)).isZero();
    assertThat(drainLabels(queue)).containsExactly(90, 91, 92, 93, 94, 95, 96, 97, 98, 99);
    assertThat(queue.bytes()).isZero();
  }

  @Test
  void messagesNotResendableAreNeverDroppedForRoomAndNewOnesAreRefusedInstead() {
    OutboundQueue queue = queue(8192, 10_000);
    assertThat(queue.offer(payload(4_000, 1), false)).isTrue();
    assertThat(queue.offer(payload(4_000, 2), true)).isTrue();
    assertThat(queue.offer(payload(4_000, 3), false)).as("fits once 2 is dropped").isTrue();
    assertThat(queue.offer(payload(4_000, 4), true)).as("nothing resendable left").isFalse();
    assertThat(queue.offer(payload(4_000, 5), false)).isFalse();
    assertThat(stats.rejected(RejectReason.QUEUE_EVICTED)).isEqualTo(1);
    assertThat(stats.rejected(RejectReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(queue.bytes()).isEqualTo(8_000);
    assertThat(drainLabels(queue)).containsExactly(1, 3);
  }

  @Test
  void nothingIsDroppedForAMessageThatWouldNotFitAnyway() {
    OutboundQueue queue = queue(8192, 10_000);
    assertThat(queue.offer(payload(4_000, 1), false)).isTrue();
    assertThat(queue.offer(payload(2_000, 2), true)).isTrue();
    assertThat(queue.offer(payload(3_500, 3), false)).isTrue();
    assertThat(queue.offer(payload(4_000, 4), false)).as("11,500 bytes even without 2").isFalse();
    assertThat(stats.rejected(RejectReason.QUEUE_EVICTED)).isZero();
    assertThat(drainLabels(queue)).containsExactly(1, 2, 3);
  }

  @Test
  void theMessageBoundDropsResendableMessagesToo() {
    OutboundQueue queue = queue(3, 1 << 20);
    for (int i = 0; i < 5; i++) {
      assertThat(queue.offer(payload(10, i), true)).isTrue();
    }
    assertThat(queue.size()).isEqualTo(3);
    assertThat(drainLabels(queue)).containsExactly(2, 3, 4);
  }

  @Test
  void oneMessageLargerThanTheBoundStillGoesThroughAnEmptyQueue() {
    OutboundQueue queue = queue(8192, 10_000);
    assertThat(queue.offer(payload(50_000, 7), false)).as("alone in the queue").isTrue();
    assertThat(queue.offer(payload(10, 8), false)).as("the queue is over its bound").isFalse();
    assertThat(drainLabels(queue)).containsExactly(7);
    assertThat(queue.offer(payload(50_000, 9), false)).as("empty again").isTrue();
  }

  /**
   * The queue knows whether dropping its resendable payloads would make room from counts it
   * keeps, not by walking the queue: across offers, evictions, drains and clears, every
   * decision and every delivered payload must be what the walk over the queued payloads gives
   * (the model below). A count that drifted would refuse what fits, or drop what cannot help.
   */
  @Test
  void droppingForRoomDecidesFromCountsExactlyAsAWalkOverTheQueueWould() {
    Random random = new Random(20261206);
    int capacity = 6;
    long maxBytes = 5_000;
    OutboundQueue queue = queue(capacity, maxBytes);
    // Attached but not run until a round drains it: a destination that reads nothing meanwhile.
    EmbeddedChannel channel = new EmbeddedChannel();
    queue.attach(channel);
    List<int[]> model = new ArrayList<>(); // {label, size, resendable 0/1}
    int label = 0;
    for (int round = 0; round < 200; round++) {
      for (int i = 0; i < 1 + random.nextInt(30); i++, label++) {
        // Now and then one above the byte bound: it fits only into an emptied queue.
        int size = random.nextInt(20) == 0 ? 6_000 : 1 + random.nextInt(1_500);
        boolean resendable = random.nextInt(3) > 0;
        assertThat(queue.offer(payload(size, label), resendable))
            .as("round %d offer %d of %d bytes", round, label, size)
            .isEqualTo(modelOffer(model, capacity, maxBytes, new int[] {label, size,
                resendable ? 1 : 0}));
        assertThat(queue.size()).isEqualTo(model.size());
      }
      if (round % 10 == 9) {
        queue.clear();
        model.clear();
        continue;
      }
      List<Integer> expected = model.stream().map(m -> (int) (byte) m[0]).toList();
      model.clear();
      channel.runPendingTasks();
      List<Integer> delivered = new ArrayList<>();
      for (byte[] p; (p = channel.readOutbound()) != null; ) {
        delivered.add((int) p[0]);
      }
      assertThat(delivered).as("round %d", round).isEqualTo(expected);
      assertThat(queue.bytes()).isZero();
    }
  }

  /**
   * The rule, walked over the queued payloads: drop the oldest resendable ones, but only if
   * some number of them makes room (if none does, nothing is dropped and the offer is refused).
   */
  private static boolean modelOffer(List<int[]> model, int capacity, long maxBytes, int[] offer) {
    List<int[]> dropped = new ArrayList<>(model);
    boolean helps = modelFits(dropped, capacity, maxBytes, offer[1]);
    for (var it = dropped.iterator(); it.hasNext() && !helps; ) {
      if (it.next()[2] == 1) {
        it.remove();
        helps = modelFits(dropped, capacity, maxBytes, offer[1]);
      }
    }
    if (!helps) {
      return false;
    }
    model.clear();
    model.addAll(dropped);
    model.add(offer);
    return true;
  }

  private static boolean modelFits(List<int[]> model, int capacity, long maxBytes, int length) {
    long bytes = model.stream().mapToLong(m -> m[1]).sum();
    return model.isEmpty() || (model.size() < capacity && bytes + length <= maxBytes);
  }

  @Test
  void anAcceptedConnectionStopsReadingWhileItsAnswersPileUpAndResumesOnceTheyDrain() {
    OutboundQueue queue = queue(8192, 10_000).pausingReads();
    EmbeddedChannel channel = new EmbeddedChannel();
    queue.attach(channel);
    assertThat(queue.offer(payload(5_000, 1))).isTrue();
    assertThat(channel.config().isAutoRead()).as("at half, still reading").isTrue();
    assertThat(queue.offer(payload(1, 2))).isTrue();
    assertThat(channel.config().isAutoRead()).as("over half: not read").isFalse();
    assertThat(stats.readsPausedNow()).isEqualTo(1);
    channel.runPendingTasks(); // the client reads its answers
    assertThat(channel.config().isAutoRead()).as("drained: read again").isTrue();
    assertThat(stats.readPauses()).isEqualTo(1);
    assertThat(stats.readsPausedNow()).isZero();
  }

  @Test
  void aDialedConnectionNeverStopsReading() {
    OutboundQueue queue = queue(8192, 10_000);
    EmbeddedChannel channel = new EmbeddedChannel();
    queue.attach(channel);
    queue.offer(payload(9_000, 1));
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(stats.readPauses()).isZero();
  }
}
