package io.lockstep.net;

import static io.lockstep.net.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request authenticator key of a key-authenticated client connection: both ends derive the
 * same key from their handshake, so a tag the client makes matches at the replica's end of that
 * connection, and at no other connection's; a secret-mode connection has none.
 */
class AuthenticatorKeyTest {
  private static final byte[] BOB_SECRET = "bob-secret-0123456789ab".getBytes();
  private static final byte[] REQUEST = "alice#1 set x 1".getBytes();
  /** 1 = the server (replica 1), 2 = alice. */
  private static final Map<Integer, KeyPair> KEYS = TestNet.keyPairs(2);

  private final List<AutoCloseable> opened = new ArrayList<>();
  /** The server's end of each connection, by the first frame's text (which the client names). */
  private final Map<String, FrameConnection> serverEnds = new ConcurrentHashMap<>();
  private FrameServer server;

  @BeforeEach
  void startServer() throws IOException {
    ClientAuth auth = ClientAuth.perClient(Map.of("bob", BOB_SECRET))
        .withKeys(Map.of("alice", KEYS.get(2).getPublic()));
    server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1", TestNet.local(0), auth,
        TestNet.OPTIONS, KEYS.get(1).getPrivate()),
        (connection, payload) -> serverEnds.put(new String(payload), connection));
    opened.add(server);
  }

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  /** A connection of alice (key mode) and the server's end of it, named {@code name}. */
  private FrameConnection[] alice(String name) throws Exception {
    FrameClient client = new FrameClient(ClientConfig.keyed(TestNet.CLUSTER, "alice",
        KEYS.get(2).getPrivate(), TestNet.OPTIONS));
    opened.add(client);
    FrameConnection mine = client.connect(TestNet.local(server.port()), "1",
        KEYS.get(1).getPublic(), (c, p) -> { }).get(10, TimeUnit.SECONDS);
    return withServerEnd(mine, name);
  }

  private FrameConnection[] withServerEnd(FrameConnection mine, String name) {
    mine.send(name.getBytes());
    await("the server's end of " + name, () -> serverEnds.containsKey(name));
    return new FrameConnection[] {mine, serverEnds.get(name)};
  }

  @Test
  void aTagTheClientMakesMatchesAtTheServersEndOfTheSameConnection() throws Exception {
    FrameConnection[] ends = alice("first");
    AuthenticatorKey client = ends[0].authenticatorKey();
    AuthenticatorKey replica = ends[1].authenticatorKey();
    assertThat(client).isNotNull();
    assertThat(replica).as("the server's end of a key-mode connection").isNotNull();
    assertThat(ends[1].keyAuthenticated()).isTrue();

    byte[] tag = client.tag(REQUEST);
    assertThat(tag).hasSize(AuthenticatorKey.TAG_BYTES).hasSize(16);
    assertThat(client.tag(REQUEST)).as("a tag depends only on key and bytes").isEqualTo(tag);
    assertThat(replica.matches(REQUEST, tag)).isTrue();
    // The key is the same at both ends (only the client tags, but either could).
    assertThat(replica.tag(REQUEST)).isEqualTo(tag);
    assertThat(client.matches(REQUEST, replica.tag(REQUEST))).isTrue();
    assertThat(client.tag("another request".getBytes())).isNotEqualTo(tag);
  }

  @Test
  void aTagFromAnotherConnectionOfTheSameClientDoesNotMatch() throws Exception {
    FrameConnection[] first = alice("first");
    FrameConnection[] second = alice("second");
    byte[] firstTag = first[0].authenticatorKey().tag(REQUEST);
    byte[] secondTag = second[0].authenticatorKey().tag(REQUEST);

    // Each handshake has its own X25519 secret and transcript, so its own key.
    assertThat(secondTag).isNotEqualTo(firstTag);
    assertThat(second[1].authenticatorKey().matches(REQUEST, firstTag)).isFalse();
    assertThat(first[1].authenticatorKey().matches(REQUEST, secondTag)).isFalse();
    assertThat(second[1].authenticatorKey().matches(REQUEST, secondTag)).isTrue();
  }

  @Test
  void aChangedByteOfTheRequestOrOfTheTagDoesNotMatch() throws Exception {
    FrameConnection[] ends = alice("first");
    byte[] tag = ends[0].authenticatorKey().tag(REQUEST);
    AuthenticatorKey replica = ends[1].authenticatorKey();
    for (int i = 0; i < REQUEST.length; i++) {
      byte[] altered = REQUEST.clone();
      altered[i] ^= 1;
      assertThat(replica.matches(altered, tag)).as("request byte %d altered", i).isFalse();
    }
    for (int i = 0; i < tag.length; i++) {
      byte[] altered = tag.clone();
      altered[i] ^= (byte) 0x80;
      assertThat(replica.matches(REQUEST, altered)).as("tag byte %d altered", i).isFalse();
    }
    assertThat(replica.matches(Arrays.copyOf(REQUEST, REQUEST.length + 1), tag))
        .as("a byte appended to the request").isFalse();
    assertThat(replica.matches(REQUEST, tag.clone())).as("the unaltered copy").isTrue();
  }

  @Test
  void tagsOfTheWrongLengthOrNoTagDoNotMatch() throws Exception {
    FrameConnection[] ends = alice("first");
    byte[] tag = ends[0].authenticatorKey().tag(REQUEST);
    AuthenticatorKey replica = ends[1].authenticatorKey();
    assertThat(replica.matches(REQUEST, null)).isFalse();
    assertThat(replica.matches(REQUEST, new byte[0])).isFalse();
    assertThat(replica.matches(REQUEST, Arrays.copyOf(tag, 15))).as("a prefix").isFalse();
    assertThat(replica.matches(REQUEST, Arrays.copyOf(tag, 17))).as("one byte more").isFalse();
    // The full HMAC-SHA256 whose first 16 bytes are the tag is not a tag either.
    assertThat(replica.matches(REQUEST, Arrays.copyOf(tag, 32))).isFalse();
  }

  @Test
  void aSecretModeConnectionHasNoAuthenticatorKeyAtEitherEnd() throws Exception {
    FrameClient bob = new FrameClient(ClientConfig.authenticated(TestNet.CLUSTER, "bob",
        BOB_SECRET, TestNet.OPTIONS));
    opened.add(bob);
    FrameConnection mine = bob.connect(TestNet.local(server.port()), (c, p) -> { })
        .get(10, TimeUnit.SECONDS);
    FrameConnection[] ends = withServerEnd(mine, "bob");
    assertThat(ends[1].remoteId()).isEqualTo("bob");
    assertThat(ends[1].keyAuthenticated()).isFalse();
    assertThat(ends[0].authenticatorKey()).isNull();
    assertThat(ends[1].authenticatorKey()).isNull();
  }
}
