package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client port with client keys: a client proves its own Ed25519 key and checks the server's,
 * so both ends know whom they talk to; clients with secrets are still served alongside.
 */
class ClientKeyAuthTest {
  private static final byte[] BOB_SECRET = "bob-secret-0123456789ab".getBytes();
  /** 1 = the server (replica 1), 2 = another replica, 3 = alice, 4 = mallory (unknown). */
  private static final Map<Integer, KeyPair> KEYS = TestNet.keyPairs(4);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  /** Replica "1" answering each frame with the proven client id and whether a key proved it. */
  private FrameServer server() throws IOException {
    ClientAuth auth = ClientAuth.perClient(Map.of("bob", BOB_SECRET))
        .withKeys(Map.of("alice", KEYS.get(3).getPublic()));
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1",
        TestNet.local(0), auth, TestNet.OPTIONS, KEYS.get(1).getPrivate()),
        (connection, payload) -> connection.send((connection.remoteId() + " "
            + connection.keyAuthenticated()).getBytes()));
    opened.add(server);
    return server;
  }

  private FrameClient client(ClientConfig config) {
    FrameClient client = new FrameClient(config);
    opened.add(client);
    return client;
  }

  private static ClientConfig keyed(String id, int key) {
    return ClientConfig.keyed(TestNet.CLUSTER, id, KEYS.get(key).getPrivate(), TestNet.OPTIONS);
  }

  private static String ask(CompletableFuture<FrameConnection> opening, List<String> answers)
      throws Exception {
    FrameConnection connection = opening.get(10, TimeUnit.SECONDS);
    connection.send(ByteBuffer.allocate(1).array());
    await("answer", () -> !answers.isEmpty());
    return answers.get(0);
  }

  @Test
  void aKeyedClientAndASecretClientAreBothServedEachUnderItsProvenId() throws Exception {
    FrameServer server = server();
    List<String> alice = Collections.synchronizedList(new ArrayList<>());
    List<String> bob = Collections.synchronizedList(new ArrayList<>());
    assertThat(ask(client(keyed("alice", 3)).connect(TestNet.local(server.port()), "1",
        KEYS.get(1).getPublic(), (c, p) -> alice.add(new String(p))), alice))
        .isEqualTo("alice true");
    assertThat(ask(client(ClientConfig.authenticated(TestNet.CLUSTER, "bob", BOB_SECRET,
        TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> bob.add(new String(p))),
        bob)).isEqualTo("bob false");
  }

  @Test
  void aClientWithAnotherKeyCannotProveAlicesId() throws Exception {
    FrameServer server = server();
    List<String> answers = Collections.synchronizedList(new ArrayList<>());
    // The client opens once the server's proof checks out; the server then checks the client's.
    FrameConnection connection = client(keyed("alice", 4)).connect(TestNet.local(server.port()),
        "1", KEYS.get(1).getPublic(), (c, p) -> answers.add(new String(p)))
        .get(10, TimeUnit.SECONDS);
    connection.send(new byte[1]);
    await("refused", () -> server.stats().rejected(RejectReason.BAD_PROOF) == 1);
    await("closed", () -> !connection.isOpen());
    assertThat(answers).isEmpty();
    assertThat(server.stats().framesReceived()).isZero();
  }

  @Test
  void aClientRefusesAServerThatCannotProveTheReplicaKeyItExpects() throws Exception {
    FrameServer server = server();
    FrameClient alice = client(keyed("alice", 3));
    // The server is replica 1; alice believes she dials replica 2 (a misdirected connection).
    CompletableFuture<FrameConnection> wrongId = alice.connect(TestNet.local(server.port()), "2",
        KEYS.get(2).getPublic(), (c, p) -> { });
    assertThatThrownBy(() -> wrongId.get(10, TimeUnit.SECONDS))
        .hasMessageContaining("UNKNOWN_ID");
    // Right id, wrong key: a server that knows only its own key cannot pass as another.
    CompletableFuture<FrameConnection> wrongKey = alice.connect(TestNet.local(server.port()), "1",
        KEYS.get(2).getPublic(), (c, p) -> { });
    assertThatThrownBy(() -> wrongKey.get(10, TimeUnit.SECONDS))
        .hasMessageContaining("BAD_PROOF");
  }

  @Test
  void aPortWithoutClientSecretsServesUnauthenticatedAndKeyedClientsButNoSecretOnes()
      throws Exception {
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1",
        TestNet.local(0), ClientAuth.none().withKeys(Map.of("alice", KEYS.get(3).getPublic())),
        TestNet.OPTIONS, KEYS.get(1).getPrivate()), (connection, payload) ->
            connection.send((connection.remoteId() + " " + connection.keyAuthenticated())
                .getBytes()));
    opened.add(server);
    List<String> anon = Collections.synchronizedList(new ArrayList<>());
    assertThat(ask(client(ClientConfig.unauthenticated(TestNet.CLUSTER, "anon", TestNet.OPTIONS))
        .connect(TestNet.local(server.port()), (c, p) -> anon.add(new String(p))), anon))
        .isEqualTo("anon false");
    List<String> alice = Collections.synchronizedList(new ArrayList<>());
    assertThat(ask(client(keyed("alice", 3)).connect(TestNet.local(server.port()), "1",
        KEYS.get(1).getPublic(), (c, p) -> alice.add(new String(p))), alice))
        .isEqualTo("alice true");
    CompletableFuture<FrameConnection> secret = client(ClientConfig.authenticated(TestNet.CLUSTER,
        "bob", BOB_SECRET, TestNet.OPTIONS)).connect(TestNet.local(server.port()), (c, p) -> { });
    assertThatThrownBy(() -> secret.get(10, TimeUnit.SECONDS)).hasMessageContaining("AUTH_MISMATCH");
  }

  @Test
  void anUnknownClientIdIsRefused() throws Exception {
    FrameServer server = server();
    CompletableFuture<FrameConnection> opening = client(keyed("mallory", 4))
        .connect(TestNet.local(server.port()), "1", KEYS.get(1).getPublic(), (c, p) -> { });
    assertThatThrownBy(() -> opening.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    await("refused", () -> server.stats().rejected(RejectReason.UNKNOWN_ID) == 1);
  }

  @Test
  void aLateKeyIsLookedUpWhenTheClientConnectsSoAKeyLearntWhileRunningAdmitsIt()
      throws Exception {
    java.util.concurrent.atomic.AtomicReference<java.security.PublicKey> learnt =
        new java.util.concurrent.atomic.AtomicReference<>();
    FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1",
        TestNet.local(0), ClientAuth.none().withLateKeys(id -> id.equals("joiner") ? learnt.get()
            : null), TestNet.OPTIONS, KEYS.get(1).getPrivate()), (connection, payload) ->
            connection.send((connection.remoteId() + " " + connection.keyAuthenticated())
                .getBytes()));
    opened.add(server);
    CompletableFuture<FrameConnection> early = client(keyed("joiner", 4))
        .connect(TestNet.local(server.port()), "1", KEYS.get(1).getPublic(), (c, p) -> { });
    // Not learnt yet: refused, as an id with no key is.
    early.handle((c, e) -> c).get(10, TimeUnit.SECONDS);
    await("refused", () -> server.stats().rejected(RejectReason.UNKNOWN_ID) == 1);
    learnt.set(KEYS.get(4).getPublic());
    List<String> answers = Collections.synchronizedList(new ArrayList<>());
    assertThat(ask(client(keyed("joiner", 4)).connect(TestNet.local(server.port()), "1",
        KEYS.get(1).getPublic(), (c, p) -> answers.add(new String(p))), answers))
        .isEqualTo("joiner true");
    // Another key still cannot prove that id.
    FrameConnection other = client(keyed("joiner", 3)).connect(TestNet.local(server.port()),
        "1", KEYS.get(1).getPublic(), (c, p) -> { }).get(10, TimeUnit.SECONDS);
    other.send(new byte[1]);
    await("refused", () -> server.stats().rejected(RejectReason.BAD_PROOF) == 1);
  }
}
