package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerNetworkTest {
  private final List<PeerNetwork> started = new ArrayList<>();

  @AfterEach
  void closeAll() {
    started.forEach(PeerNetwork::close);
  }

  private PeerNetwork start(PeerConfig config, PeerHandler handler) throws IOException {
    PeerNetwork network = PeerNetwork.start(config, handler);
    started.add(network);
    return network;
  }

  @Test
  void threeReplicasExchangeThousandsOfMessagesEachInSendOrder() throws IOException {
    int count = 5_000;
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(3);
    Map<Integer, Inbox> inboxes = Map.of(1, new Inbox(), 2, new Inbox(), 3, new Inbox());
    Map<Integer, PeerNetwork> nodes = Map.of(
        1, start(TestNet.config(1, addresses), inboxes.get(1)),
        2, start(TestNet.config(2, addresses), inboxes.get(2)),
        3, start(TestNet.config(3, addresses), inboxes.get(3)));
    for (long seq = 0; seq < count; seq++) {
      for (int from = 1; from <= 3; from++) {
        for (int to = 1; to <= 3; to++) {
          if (from != to) {
            assertThat(nodes.get(from).send(to, Inbox.message(seq))).isTrue();
          }
        }
      }
    }
    List<Long> expected = LongStream.range(0, count).boxed().toList();
    for (int to = 1; to <= 3; to++) {
      for (int from = 1; from <= 3; from++) {
        if (from != to) {
          Inbox inbox = inboxes.get(to);
          int sender = from;
          await("all messages from " + from + " at " + to, () -> inbox.count(sender) >= count);
          assertThat(inbox.from(from)).isEqualTo(expected);
        }
      }
    }
    assertThat(nodes.get(1).stats().rejections().values()).allMatch(n -> n == 0);
  }

  @Test
  void restartedPeerOnTheSamePortReceivesAgainAfterReconnection() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerNetwork one = start(TestNet.config(1, addresses), new Inbox());
    Inbox firstLife = new Inbox();
    PeerNetwork two = start(TestNet.config(2, addresses), firstLife);
    one.send(2, Inbox.message(1));
    await("first message", () -> firstLife.count(1) == 1);

    two.close();
    await("1 notices 2 is gone", () -> !one.isConnected(2));
    long attemptsBefore = one.stats().connectAttempts();
    await("1 keeps redialing", () -> one.stats().connectAttempts() > attemptsBefore + 2);

    Inbox secondLife = new Inbox();
    start(TestNet.config(2, addresses), secondLife);
    await("1 reconnects to the restarted 2", () -> one.isConnected(2));
    for (long seq = 100; seq < 200; seq++) {
      assertThat(one.send(2, Inbox.message(seq))).isTrue();
    }
    await("messages after restart", () -> secondLife.count(1) >= 100);
    assertThat(secondLife.from(1)).endsWith(LongStream.range(100, 200).boxed().toArray(Long[]::new));
  }

  @Test
  void sendNeverBlocksAndReportsAFullQueueAsADroppedMessage() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerConfig config = new PeerConfig(1, addresses.get(1), addresses, TestNet.CLUSTER,
        TestNet.SECRET, TestNet.OPTIONS.withQueue(100, 1 << 20));
    PeerNetwork one = start(config, new Inbox());
    int accepted = 0;
    for (int i = 0; i < 150; i++) {
      accepted += one.send(2, Inbox.message(i)) ? 1 : 0;
    }
    assertThat(accepted).isEqualTo(100);
    assertThat(one.queued(2)).isEqualTo(100);
    assertThat(one.stats().rejected(RejectReason.QUEUE_FULL)).isEqualTo(50);
  }

  @Test
  void slowReceiverFillsTheBoundedQueueInsteadOfGrowingMemory() throws Exception {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    NetOptions small = TestNet.OPTIONS.withQueue(1_000, 1 << 20).withWriteBufferBytes(64 << 10);
    PeerNetwork one = start(new PeerConfig(1, addresses.get(1), addresses, TestNet.CLUSTER,
        TestNet.SECRET, small), new Inbox());
    java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
    Inbox inbox = new Inbox();
    start(new PeerConfig(2, addresses.get(2), addresses, TestNet.CLUSTER, TestNet.SECRET, small),
        (from, payload) -> {
          try {
            stalled.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inbox.onMessage(from, payload);
        });
    await("connected", () -> one.isConnected(2));
    byte[] padding = new byte[1024];
    long accepted = 0;
    for (int i = 0; i < 100_000 && one.send(2, accepted == 0 ? Inbox.message(0) : padding); i++) {
      accepted++;
    }
    assertThat(accepted).as("send returned false before 100000 messages").isLessThan(100_000);
    assertThat(one.stats().rejected(RejectReason.QUEUE_FULL)).isEqualTo(1);
    stalled.countDown();
    long total = accepted;
    await("everything accepted arrives", () -> inbox.count(1) == total);
    assertThat(inbox.from(1).get(0)).isZero();
  }

  @Test
  void messagesQueuedWhilePeerIsDownAreDeliveredOnceItStarts() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerNetwork one = start(TestNet.config(1, addresses), new Inbox());
    for (long seq = 0; seq < 50; seq++) {
      one.send(2, Inbox.message(seq));
    }
    Inbox inbox = new Inbox();
    start(TestNet.config(2, addresses), inbox);
    await("queued messages", () -> inbox.count(1) == 50);
    assertThat(inbox.from(1)).isEqualTo(LongStream.range(0, 50).boxed().toList());
  }

  @Test
  void sendRejectsUnknownPeersAndOversizedPayloadsWithClearMessages() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerNetwork one = start(TestNet.config(1, addresses), new Inbox());
    assertThatThrownBy(() -> one.send(7, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown peer 7");
    assertThatThrownBy(() -> one.send(1, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown peer 1");
    int limit = TestNet.OPTIONS.maxMessageBytes();
    assertThatThrownBy(() -> one.send(2, new byte[limit + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit is " + limit);
  }

  @Test
  void largestAllowedPayloadArrivesIntact() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerNetwork one = start(TestNet.config(1, addresses), new Inbox());
    List<byte[]> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    start(TestNet.config(2, addresses), (from, payload) -> received.add(payload));
    byte[] big = new byte[TestNet.OPTIONS.maxMessageBytes()];
    new java.util.SplittableRandom(7).nextBytes(big);
    assertThat(one.send(2, big)).isTrue();
    await("big payload", () -> received.size() == 1);
    assertThat(received.get(0)).isEqualTo(big);
  }

  @Test
  void bindingAPortInUseFailsWithTheAddressInTheMessage() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    start(TestNet.config(1, addresses), new Inbox());
    PeerConfig clash = new PeerConfig(2, addresses.get(1), addresses, TestNet.CLUSTER,
        TestNet.SECRET, TestNet.OPTIONS);
    assertThatThrownBy(() -> start(clash, new Inbox()))
        .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on");
  }

  @Test
  void handlerExceptionIsCountedAndLaterMessagesStillArrive() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    PeerNetwork one = start(TestNet.config(1, addresses), new Inbox());
    Inbox inbox = new Inbox();
    PeerNetwork two = start(TestNet.config(2, addresses), (from, payload) -> {
      if (payload.length == 1) {
        throw new IllegalStateException("handler bug");
      }
      inbox.onMessage(from, payload);
    });
    one.send(2, new byte[1]);
    one.send(2, Inbox.message(2));
    await("message after the failing one", () -> inbox.count(1) == 1);
    assertThat(two.stats().rejected(RejectReason.HANDLER_ERROR)).isEqualTo(1);
    assertThat(one.isConnected(2)).isTrue();
  }

  @Test
  void reconnectionBackoffDoublesFromMinimumToMaximumWithJitter() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (int failures = 0; failures < 40; failures++) {
      long ceiling = Math.min(2_000, 50L << Math.min(failures, 20));
      for (int draw = 0; draw < 50; draw++) {
        long delay = PeerLink.backoffMillis(failures, 50, 2_000, random);
        assertThat(delay).as("after %d failures", failures)
            .isBetween(ceiling - ceiling / 2, ceiling);
      }
    }
  }

  @Test
  void configRejectsShortSecretsAndEmptyClusterNames() {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    assertThatThrownBy(() -> new PeerConfig(1, addresses.get(1), addresses, "c", new byte[8],
        TestNet.OPTIONS)).hasMessageContaining("at least 16");
    assertThatThrownBy(() -> new PeerConfig(1, addresses.get(1), addresses, "", TestNet.SECRET,
        TestNet.OPTIONS)).hasMessageContaining("cluster must not be empty");
    assertThat(TestNet.config(1, addresses).peers()).containsOnlyKeys(2);
  }

  @Test
  void aPeerAddedWhileRunningIsDialedAndAdmittedAndAStrangerStillIsNot() throws IOException {
    Map<Integer, InetSocketAddress> all = TestNet.addresses(3);
    Map<Integer, InetSocketAddress> firstTwo = Map.of(1, all.get(1), 2, all.get(2));
    Inbox inboxOne = new Inbox();
    PeerNetwork one = start(TestNet.config(1, firstTwo), inboxOne);
    start(TestNet.config(2, firstTwo), new Inbox());
    Inbox inboxThree = new Inbox();
    PeerNetwork three = start(TestNet.config(3, all), inboxThree);
    assertThatThrownBy(() -> one.send(3, Inbox.message(1)))
        .hasMessageContaining("unknown peer 3");
    long refusedBefore = one.stats().rejections().getOrDefault(RejectReason.UNKNOWN_ID, 0L);
    await("1 refuses 3, which it does not know yet", () -> one.stats().rejections()
        .getOrDefault(RejectReason.UNKNOWN_ID, 0L) > refusedBefore);

    assertThat(one.addPeer(3, all.get(3), null)).isTrue();
    assertThat(one.addPeer(3, all.get(3), null)).as("the same address again").isFalse();
    await("1 dials the added 3", () -> one.isConnected(3));
    assertThat(one.send(3, Inbox.message(7))).isTrue();
    await("3 receives from 1", () -> inboxThree.count(1) == 1);
    three.send(1, Inbox.message(8));
    await("1 admits 3's connection", () -> inboxOne.count(3) == 1);
    assertThatThrownBy(() -> one.addPeer(1, all.get(1), null)).hasMessageContaining("this node");
  }
}

