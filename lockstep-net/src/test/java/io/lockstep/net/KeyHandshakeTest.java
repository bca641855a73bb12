package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas that prove their own Ed25519 keys on the peer port: a replica (or anyone) holding one
 * key cannot speak as another, recorded handshakes and frames are worthless, and malformed or
 * mismatched handshakes are refused with a counted reason while correct replicas keep talking.
 */
class KeyHandshakeTest {
  private static final Map<Integer, KeyPair> KEYS = TestNet.keyPairs(4);
  private final List<PeerNetwork> started = new ArrayList<>();
  private Map<Integer, InetSocketAddress> addresses;
  private PeerNetwork one;
  private final Inbox inboxOfOne = new Inbox();
  private PeerNetwork two;

  @BeforeEach
  void startTwoOfThreeReplicas() throws IOException {
    addresses = TestNet.addresses(3);
    one = start(keyed(1, addresses), inboxOfOne);
    two = start(keyed(2, addresses), new Inbox());
  }

  @AfterEach
  void closeAll() {
    started.forEach(PeerNetwork::close);
  }

  static Map<Integer, PublicKey> publicKeys() {
    Map<Integer, PublicKey> out = new TreeMap<>();
    KEYS.forEach((id, pair) -> out.put(id, pair.getPublic()));
    out.remove(4);
    return out;
  }

  private static PeerConfig keyed(int self, Map<Integer, InetSocketAddress> addresses) {
    return TestNet.config(self, addresses).withKeys(KEYS.get(self).getPrivate(), publicKeys());
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
  void replicasThatProveTheirOwnKeysConnectAndDeliverInOrder() throws IOException {
    start(keyed(3, addresses), new Inbox()).send(1, Inbox.message(3));
    assertOneAndTwoStillTalk();
    await("3's message at 1", () -> inboxOfOne.from(3).contains(3L));
    assertThat(one.stats().rejections().values().stream().mapToLong(Long::longValue).sum())
        .isZero();
  }

  @Test
  void aReplicaSigningWithItsOwnKeyCannotClaimAnotherReplicasId() throws IOException {
    try (RawPeer forger = RawPeer.connect(one.port())) {
      // Replica 3's key, replica 2's name: the proof is checked against 2's public key.
      assertThat(forger.keyHandshake(Role.PEER, TestNet.CLUSTER, "2", KEYS.get(3).getPrivate()))
          .isTrue();
      forger.sendData(Inbox.message(666));
      assertThat(forger.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    await("forged proof refused", () -> one.stats().rejected(RejectReason.BAD_PROOF) == 1);
    assertThat(inboxOfOne.from(2)).doesNotContain(666L);
    assertOneAndTwoStillTalk();
  }

  @Test
  void aKeyOutsideTheClusterIsRefused() throws IOException {
    try (RawPeer stranger = RawPeer.connect(one.port())) {
      stranger.keyHandshake(Role.PEER, TestNet.CLUSTER, "3", KEYS.get(4).getPrivate());
      stranger.sendData(Inbox.message(666));
      assertThat(stranger.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    await("unknown key refused", () -> one.stats().rejected(RejectReason.BAD_PROOF) == 1);
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void replayedKeyHandshakeIsRefusedAndItsDataIsNeverDelivered() throws IOException {
    byte[] recording;
    try (RawPeer genuine = RawPeer.connect(one.port())) {
      assertThat(genuine.keyHandshake(Role.PEER, TestNet.CLUSTER, "3", KEYS.get(3).getPrivate()))
          .isTrue();
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
  }

  @Test
  void aFrameFromAnotherConnectionFailsItsMac() throws IOException {
    try (RawPeer first = RawPeer.connect(one.port());
        RawPeer second = RawPeer.connect(two.port())) {
      assertThat(first.keyHandshake(Role.PEER, TestNet.CLUSTER, "3", KEYS.get(3).getPrivate()))
          .isTrue();
      assertThat(second.keyHandshake(Role.PEER, TestNet.CLUSTER, "3", KEYS.get(3).getPrivate()))
          .isTrue();
      // A frame MACed for the connection to replica 2, delivered to replica 1 instead.
      first.sendBytes(second.dataFrame(Inbox.message(9)));
      assertThat(first.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(one.stats().rejected(RejectReason.BAD_MAC)).isEqualTo(1);
    assertThat(inboxOfOne.count(3)).isZero();
  }

  @Test
  void dialingAnAddressWhereAnotherReplicaAnswersIsRefused() throws IOException {
    Map<Integer, InetSocketAddress> crossed = new TreeMap<>(addresses);
    crossed.put(2, addresses.get(1));
    PeerNetwork confused = start(keyed(3, crossed), new Inbox());
    confused.send(2, Inbox.message(1));
    await("3 refuses 1 answering as 2",
        () -> confused.stats().rejected(RejectReason.UNKNOWN_ID) >= 1);
    assertThat(confused.isConnected(2)).isFalse();
  }

  @Test
  void malformedKeyHellosAreRefusedAsBadHandshakes() throws IOException {
    try (RawPeer garbage = RawPeer.connect(one.port())) {
      java.security.KeyPair ephemeral = KeyExchange.ephemeral();
      byte[] notAKey = new byte[44];
      assertThat(garbage.keyHandshake(Role.PEER, TestNet.CLUSTER, "3", KEYS.get(3).getPrivate(),
          notAKey, ephemeral.getPrivate())).isFalse();
    }
    try (RawPeer both = RawPeer.connect(one.port())) {
      byte[] hello = new Hello(Role.PEER, Hello.AUTH_SECRET | Hello.AUTH_KEYS,
          new byte[Hello.NONCE_BYTES], TestNet.CLUSTER, "3",
          KeyExchange.ephemeral().getPublic().getEncoded()).encode();
      both.sendFrame(FrameKind.HELLO, hello);
      assertThat(both.closedByRemote(Duration.ofSeconds(5))).isTrue();
    }
    await("both refused", () -> one.stats().rejected(RejectReason.BAD_HANDSHAKE) == 2);
    assertOneAndTwoStillTalk();
  }

  @Test
  void theSharedSecretNoLongerOpensAKeyedPeerPort() throws IOException {
    try (RawPeer secretHolder = RawPeer.connect(one.port())) {
      assertThat(secretHolder.handshake(Role.PEER, TestNet.CLUSTER, "3", TestNet.SECRET))
          .isFalse();
    }
    await("mode mismatch counted",
        () -> one.stats().rejected(RejectReason.AUTH_MISMATCH) == 1);
    assertThat(inboxOfOne.count(3)).isZero();
  }
}
