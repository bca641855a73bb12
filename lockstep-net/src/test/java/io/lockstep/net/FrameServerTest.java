package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameServerTest {
  private static final byte[] ALICE_SECRET = "alice-secret-0123456789".getBytes();
  private static final byte[] BOB_SECRET = "bob-secret-0123456789ab".getBytes();

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  /** A server that answers every request with the request's bytes, prefixed by the client id. */
  private FrameServer echoServer(ClientAuth auth) throws IOException {
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "replica-1",
        TestNet.local(0), auth, TestNet.OPTIONS), (connection, payload) ->
            connection.send(ByteBuffer.allocate(1 + payload.length)
                .put((byte) connection.remoteId().charAt(0)).put(payload).array()));
    opened.add(server);
    return server;
  }

  private FrameClient client(ClientConfig config) {
    FrameClient client = new FrameClient(config);
    opened.add(client);
    return client;
  }

  private static FrameConnection join(java.util.concurrent.CompletableFuture<FrameConnection> f)
      throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void manyRequestsInFlightOnOneConnectionAreAnsweredInOrder() throws Exception {
    FrameServer server = echoServer(ClientAuth.perClient(Map.of("alice", ALICE_SECRET)));
    List<Long> replies = Collections.synchronizedList(new ArrayList<>());
    FrameConnection connection = join(client(ClientConfig.authenticated(TestNet.CLUSTER, "alice",
        ALICE_SECRET, TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, payload) -> {
          assertThat(payload[0]).isEqualTo((byte) 'a');
          replies.add(ByteBuffer.wrap(payload, 1, 8).getLong());
        }));
    assertThat(connection.remoteId()).isEqualTo("replica-1");
    assertThat(connection.authenticated()).isTrue();
    for (long request = 0; request < 2_000; request++) {
      assertThat(connection.send(Inbox.message(request))).isTrue();
    }
    await("all replies", () -> replies.size() == 2_000);
    assertThat(replies).isEqualTo(LongStream.range(0, 2_000).boxed().toList());
    assertThat(server.stats().framesReceived()).isEqualTo(2_000);
  }

  @Test
  void serverSeesTheProvenClientIdOfEachConnection() throws Exception {
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "r1",
        TestNet.local(0), ClientAuth.perClient(Map.of("alice", ALICE_SECRET, "bob", BOB_SECRET)),
        TestNet.OPTIONS), new FrameHandler() {
          @Override
          public void onFrame(FrameConnection connection, byte[] payload) { }

          @Override
          public void onOpen(FrameConnection connection) {
            ids.add(connection.remoteId() + ":" + connection.authenticated());
          }
        });
    opened.add(server);
    join(client(ClientConfig.authenticated(TestNet.CLUSTER, "alice", ALICE_SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { }));
    join(client(ClientConfig.authenticated(TestNet.CLUSTER, "bob", BOB_SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { }));
    await("two clients", () -> ids.size() == 2);
    assertThat(ids).containsExactlyInAnyOrder("alice:true", "bob:true");
  }

  @Test
  void clientProvingAnotherClientsSecretIsRefused() throws Exception {
    FrameServer server = echoServer(ClientAuth.perClient(Map.of("alice", ALICE_SECRET,
        "bob", BOB_SECRET)));
    var attempt = client(ClientConfig.authenticated(TestNet.CLUSTER, "alice", BOB_SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(attempt)).hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("BAD_PROOF");
    await("server counts the bad proof",
        () -> server.stats().rejected(RejectReason.BAD_PROOF) == 1);
    assertThat(server.stats().framesReceived()).isZero();
  }

  @Test
  void unknownClientIdIsRefusedUnderPerClientAuth() throws Exception {
    FrameServer server = echoServer(ClientAuth.perClient(Map.of("alice", ALICE_SECRET)));
    var attempt = client(ClientConfig.authenticated(TestNet.CLUSTER, "mallory", ALICE_SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(attempt)).hasCauseInstanceOf(IOException.class);
    await("server counts the unknown id",
        () -> server.stats().rejected(RejectReason.UNKNOWN_ID) == 1);
  }

  @Test
  void sharedClientSecretAdmitsAnyClientIdThatProvesIt() throws Exception {
    FrameServer server = echoServer(ClientAuth.shared(TestNet.SECRET));
    List<byte[]> replies = Collections.synchronizedList(new ArrayList<>());
    FrameConnection connection = join(client(ClientConfig.authenticated(TestNet.CLUSTER, "zed",
        TestNet.SECRET, TestNet.OPTIONS)).connect(TestNet.local(server.port()),
        (c, payload) -> replies.add(payload)));
    connection.send(new byte[] {42});
    await("reply", () -> replies.size() == 1);
    assertThat(replies.get(0)).containsExactly('z', 42);
  }

  @Test
  void noAuthIsAnExplicitModeWithDeclaredIdsAndNoMacs() throws Exception {
    FrameServer server = echoServer(ClientAuth.none());
    List<byte[]> replies = Collections.synchronizedList(new ArrayList<>());
    FrameConnection connection = join(client(ClientConfig.unauthenticated(TestNet.CLUSTER, "dev",
        TestNet.OPTIONS)).connect(TestNet.local(server.port()),
        (c, payload) -> replies.add(payload)));
    assertThat(connection.authenticated()).isFalse();
    connection.send(new byte[] {7});
    await("reply", () -> replies.size() == 1);
    assertThat(replies.get(0)).containsExactly('d', 7);
  }

  @Test
  void clientWithASecretRefusesAServerThatWouldDowngradeToNoAuth() throws Exception {
    FrameServer server = echoServer(ClientAuth.none());
    FrameClient client = client(ClientConfig.authenticated(TestNet.CLUSTER, "alice",
        ALICE_SECRET, TestNet.OPTIONS));
    var attempt = client.connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(attempt)).hasMessageContaining("AUTH_MISMATCH");
    assertThat(client.stats().rejected(RejectReason.AUTH_MISMATCH)).isEqualTo(1);
  }

  @Test
  void unauthenticatedClientIsRefusedWhenTheServerRequiresAuth() throws Exception {
    FrameServer server = echoServer(ClientAuth.shared(TestNet.SECRET));
    var attempt = client(ClientConfig.unauthenticated(TestNet.CLUSTER, "anon", TestNet.OPTIONS))
        .connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(attempt)).hasCauseInstanceOf(IOException.class);
    await("server counts the mismatch",
        () -> server.stats().rejected(RejectReason.AUTH_MISMATCH) == 1);
  }

  @Test
  void clientOfAnotherClusterIsRefused() throws Exception {
    FrameServer server = echoServer(ClientAuth.shared(TestNet.SECRET));
    var attempt = client(ClientConfig.authenticated("other-cluster", "alice", TestNet.SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(attempt)).hasMessageContaining("WRONG_CLUSTER");
    await("server counts the wrong cluster",
        () -> server.stats().rejected(RejectReason.WRONG_CLUSTER) == 1);
  }

  @Test
  void connectingToAClosedPortFailsTheFutureWithTheAddress() {
    int port = TestNet.freePort();
    var attempt = client(ClientConfig.unauthenticated(TestNet.CLUSTER, "c", TestNet.OPTIONS))
        .connect(TestNet.local(port), (c, p) -> { });
    assertThatThrownBy(attempt::join).isInstanceOf(CompletionException.class)
        .hasMessageContaining("cannot connect to").hasMessageContaining(":" + port);
  }

  @Test
  void connectionsBeyondTheLimitAreRefusedAndCounted() throws Exception {
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "r1",
        TestNet.local(0), ClientAuth.none(), TestNet.OPTIONS.withMaxConnections(2)),
        (c, p) -> { });
    opened.add(server);
    FrameClient client = client(ClientConfig.unauthenticated(TestNet.CLUSTER, "c",
        TestNet.OPTIONS));
    join(client.connect(TestNet.local(server.port()), (c, p) -> { }));
    join(client.connect(TestNet.local(server.port()), (c, p) -> { }));
    var third = client.connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> join(third)).hasCauseInstanceOf(IOException.class);
    assertThat(server.stats().rejected(RejectReason.TOO_MANY_CONNECTIONS)).isEqualTo(1);
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void serverReportsCloseOfAClientConnection() throws Exception {
    List<String> closed = Collections.synchronizedList(new ArrayList<>());
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "r1",
        TestNet.local(0), ClientAuth.none(), TestNet.OPTIONS), new FrameHandler() {
          @Override
          public void onFrame(FrameConnection connection, byte[] payload) { }

          @Override
          public void onClose(FrameConnection connection) {
            closed.add(connection.remoteId());
          }
        });
    opened.add(server);
    FrameConnection connection = join(client(ClientConfig.unauthenticated(TestNet.CLUSTER, "c9",
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { }));
    connection.close();
    await("close seen by server", () -> closed.size() == 1);
    assertThat(closed).containsExactly("c9");
    assertThat(connection.send(new byte[1])).isFalse();
  }
}
