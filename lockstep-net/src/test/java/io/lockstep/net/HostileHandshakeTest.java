package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that do not know the secret, belong elsewhere, replay or tamper: refused with a counted
 * reason, nothing of theirs reaches the replica, and correct peers still connect (X5; replayed
 * messages and bad authenticators, faults that broke real Byzantine systems).
 */
class HostileHandshakeTest {
  private final List<PeerNetwork> started = new ArrayList<>();
  private Map<Integer, InetSocketAddress> addresses;
  private PeerNetwork one;
  private final Inbox inboxOfOne = new Inbox();
  private PeerNetwork two;

  @BeforeEach
  void startTwoOfThreeReplicas() throws IOException {
    addresses = TestNet.addresses(3);
    one = start(TestNet.config(1, addresses), inboxOfOne);
    two = start(TestNet.config(2, addresses), new Inbox());
  }

  @AfterEach
  void closeAll() {
    started.forEach(PeerNetwork::close);
  }

  private PeerNetwork start(PeerConfig config, PeerHandler handler) throws IOException {
    PeerNetwork network = PeerNetwork.start(config, handler);
    started.add(network);
    return network;
  }

  private void assertOneAndTwoStillTalk() {
    await("1 and 2 connected", () -> one.isConnected(2) && two.isConnected(1));
    two.send(1, Inbox.message(4242));
    await("2's message at 1", () -> inboxOfOne.from(2).contains(4242L));
  }

  @Test
  void replicaWithTheWrongSecretIsRefusedWhileCorrectReplicasConnect() throws IOException {
    PeerNetwork impostor = start(new PeerConfig(3, addresses.get(3), addresses, TestNet.CLUSTER,
        TestNet.OTHER_SECRET, TestNet.OPTIONS), new Inbox());
    impostor.send(1, Inbox.message(666));
    await("1 refuses 3's proof", () -> one.stats().rejected(RejectReason.BAD_PROOF) >= 1);
    assertOneAndTwoStillTalk();
    assertThat(impostor.isConnected(1)).isFalse();
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void replicaOfAnotherClusterIsRefused() throws IOException {
    PeerNetwork stranger = start(new PeerConfig(3, addresses.get(3), addresses, "other-cluster",
        TestNet.SECRET, TestNet.OPTIONS), new Inbox());
    stranger.send(1, Inbox.message(666));
    await("1 refuses the other cluster",
        () -> one.stats().rejected(RejectReason.WRONG_CLUSTER) >= 1);
    assertOneAndTwoStillTalk();
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void helloClaimingAnUnknownIdOrTheReplicasOwnIdIsRefused() throws IOException {
    for (String id : List.of("9", "1", "not-a-number")) {
      try (RawPeer raw = RawPeer.connect(one.port())) {
        assertThat(raw.handshake(Role.PEER, TestNet.CLUSTER, id, TestNet.SECRET))
            .as("handshake as " + id).isFalse();
      }
    }
    await("three refusals", () -> one.stats().rejected(RejectReason.UNKNOWN_ID) == 3);
    assertOneAndTwoStillTalk();
  }

  @Test
  void clientHelloOnThePeerPortIsRefused() throws IOException {
    try (RawPeer raw = RawPeer.connect(one.port())) {
      assertThat(raw.handshake(Role.CLIENT, TestNet.CLUSTER, "3", TestNet.SECRET)).isFalse();
    }
    await("role mismatch counted", () -> one.stats().rejected(RejectReason.AUTH_MISMATCH) == 1);
  }

  @Test
  void replayedHandshakeIsRefusedAndItsDataIsNeverDelivered() throws IOException {
    byte[] recording;
    try (RawPeer genuine = RawPeer.connect(one.port())) {
      assertThat(genuine.handshake(Role.PEER, TestNet.CLUSTER, "3", TestNet.SECRET)).isTrue();
      genuine.sendData(Inbox.message(77));
      await("genuine message", () -> inboxOfOne.count(3) == 1);
      recording = genuine.recorded();
    }
    try (RawPeer replay = RawPeer.connect(one.port())) {
      replay.sendBytes(recording);
      assertThat(replay.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    await("replay refused", () -> one.stats().rejected(RejectReason.BAD_PROOF) == 1);
    assertThat(inboxOfOne.from(3)).containsExactly(77L);
    assertOneAndTwoStillTalk();
  }

  @Test
  void dataFrameModifiedInFlightFailsItsMacAndIsNotDelivered() throws IOException {
    try (RawPeer raw = RawPeer.connect(one.port())) {
      assertThat(raw.handshake(Role.PEER, TestNet.CLUSTER, "3", TestNet.SECRET)).isTrue();
      byte[] frame = raw.dataFrame(Inbox.message(1));
      byte[] payload = java.util.Arrays.copyOfRange(frame, Frames.HEADER_BYTES, frame.length);
      payload[7] ^= 0x01;
      raw.sendBytes(Frames.encode(FrameKind.DATA, payload));
      assertThat(raw.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(one.stats().rejected(RejectReason.BAD_MAC)).isEqualTo(1);
    assertThat(one.stats().rejected(RejectReason.BAD_CHECKSUM)).isZero();
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void dataFrameReplayedOnTheSameConnectionFailsItsMac() throws IOException {
    try (RawPeer raw = RawPeer.connect(one.port())) {
      assertThat(raw.handshake(Role.PEER, TestNet.CLUSTER, "3", TestNet.SECRET)).isTrue();
      byte[] frame = raw.dataFrame(Inbox.message(5));
      raw.sendBytes(frame);
      raw.sendBytes(frame);
      assertThat(raw.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(one.stats().rejected(RejectReason.BAD_MAC)).isEqualTo(1);
    assertThat(inboxOfOne.from(3)).containsExactly(5L);
  }

  @Test
  void dataBeforeTheHandshakeIsRefused() throws IOException {
    try (RawPeer raw = RawPeer.connect(one.port())) {
      raw.sendFrame(FrameKind.DATA, Inbox.message(1));
      assertThat(raw.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(one.stats().rejected(RejectReason.BAD_HANDSHAKE)).isEqualTo(1);
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void silentOrHalfFinishedHandshakesTimeOut() throws IOException {
    PeerNetwork impatient = start(new PeerConfig(3, addresses.get(3), addresses, TestNet.CLUSTER,
        TestNet.SECRET, TestNet.OPTIONS.withHandshakeTimeout(Duration.ofMillis(300))),
        new Inbox());
    try (RawPeer silent = RawPeer.connect(impatient.port());
        RawPeer halfway = RawPeer.connect(impatient.port())) {
      halfway.sendFrame(FrameKind.HELLO, new Hello(Role.PEER, true, new byte[Hello.NONCE_BYTES],
          TestNet.CLUSTER, "1").encode());
      assertThat(silent.closedByRemote(Duration.ofSeconds(5))).isTrue();
      assertThat(halfway.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    await("timeouts counted",
        () -> impatient.stats().rejected(RejectReason.HANDSHAKE_TIMEOUT) == 2);
  }
}
