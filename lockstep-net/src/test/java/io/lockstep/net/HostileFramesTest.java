package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed bytes on a replica's peer port and client port: each closes only the offending
 * connection, with the reason counted, and the endpoint keeps serving well-behaved peers and
 * clients (one bad sender must not hurt the others).
 */
class HostileFramesTest {
  private PeerNetwork target;
  private PeerNetwork goodPeer;
  private FrameServer clientPort;
  private FrameClient goodClient;
  private final Inbox inbox = new Inbox();
  private final List<byte[]> echoes = Collections.synchronizedList(new ArrayList<>());
  private long nextSequence;

  @BeforeEach
  void startReplicaWithAGoodPeerAndAClientPort() throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    target = PeerNetwork.start(TestNet.config(1, addresses), inbox);
    goodPeer = PeerNetwork.start(TestNet.config(2, addresses), new Inbox());
    clientPort = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1", TestNet.local(0),
        ClientAuth.shared(TestNet.SECRET), TestNet.OPTIONS), (c, payload) -> c.send(payload));
    goodClient = new FrameClient(ClientConfig.authenticated(TestNet.CLUSTER, "good",
        TestNet.SECRET, TestNet.OPTIONS));
  }

  @AfterEach
  void stop() {
    goodClient.close();
    clientPort.close();
    goodPeer.close();
    target.close();
  }

  enum Port { PEER, CLIENT }

  static Stream<Arguments> malformedInputs() {
    byte[] hello = Frames.encode(FrameKind.HELLO, new Hello(Role.PEER, true,
        new byte[Hello.NONCE_BYTES], TestNet.CLUSTER, "2").encode());
    byte[] garbage = new byte[4096];
    new SplittableRandom(1).nextBytes(garbage);
    garbage[0] = 0x00;
    byte[] wrongMagic = hello.clone();
    wrongMagic[0] = 0x12;
    byte[] wrongVersion = hello.clone();
    wrongVersion[2] = 2;
    byte[] unknownFlags = hello.clone();
    unknownFlags[3] = (byte) 0x80;
    byte[] badChecksum = hello.clone();
    badChecksum[Frames.HEADER_BYTES + 5] ^= 0x01;
    List<Arguments> cases = new ArrayList<>();
    for (Port port : Port.values()) {
      cases.add(Arguments.of(port, "random garbage", garbage, false, RejectReason.BAD_MAGIC));
      cases.add(Arguments.of(port, "wrong magic", wrongMagic, false, RejectReason.BAD_MAGIC));
      cases.add(Arguments.of(port, "unsupported version", wrongVersion, false,
          RejectReason.BAD_VERSION));
      cases.add(Arguments.of(port, "unknown flags", unknownFlags, false, RejectReason.BAD_FLAGS));
      cases.add(Arguments.of(port, "2 GiB length, header only", header(0x7fff_ffff), false,
          RejectReason.OVERSIZED));
      cases.add(Arguments.of(port, "1 MiB before authenticating", header(1 << 20), false,
          RejectReason.OVERSIZED));
      cases.add(Arguments.of(port, "wrong checksum", badChecksum, false,
          RejectReason.BAD_CHECKSUM));
      cases.add(Arguments.of(port, "truncated frame, then close", Arrays.copyOf(hello, 20), true,
          RejectReason.TRUNCATED));
    }
    return cases.stream();
  }

  /** A HELLO header claiming {@code length} payload bytes, with no payload following. */
  private static byte[] header(int length) {
    byte[] frame = Frames.encode(FrameKind.HELLO, new byte[0]);
    frame[4] = (byte) (length >>> 24);
    frame[5] = (byte) (length >>> 16);
    frame[6] = (byte) (length >>> 8);
    frame[7] = (byte) length;
    return frame;
  }

  @ParameterizedTest(name = "{1} on the {0} port")
  @MethodSource("malformedInputs")
  void malformedInputClosesOnlyThatConnectionWithACountedReason(Port port, String what,
      byte[] bytes, boolean thenClose, RejectReason expected) throws Exception {
    NetStats stats = port == Port.PEER ? target.stats() : clientPort.stats();
    try (RawPeer raw = RawPeer.connect(port == Port.PEER ? target.port() : clientPort.port())) {
      raw.sendBytes(bytes);
      if (thenClose) {
        raw.finishSending();
      }
      assertThat(raw.closedByRemote(Duration.ofSeconds(5))).as("closed after " + what).isTrue();
    }
    await(expected + " counted", () -> stats.rejected(expected) == 1);
    assertThat(stats.rejections().entrySet()).filteredOn(e -> e.getKey() != expected)
        .allMatch(e -> e.getValue() == 0);
    assertStillServesWellBehavedPeersAndClients();
  }

  private void assertStillServesWellBehavedPeersAndClients() throws Exception {
    long sequence = nextSequence++;
    assertThat(goodPeer.send(1, Inbox.message(sequence))).isTrue();
    await("good peer's message", () -> inbox.from(2).contains(sequence));
    FrameConnection connection = goodClient.connect(TestNet.local(clientPort.port()),
        (c, payload) -> echoes.add(payload)).get(10, TimeUnit.SECONDS);
    connection.send(new byte[] {9});
    await("good client's echo", () -> !echoes.isEmpty());
  }
}
