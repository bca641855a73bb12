package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.LockstepException;
import io.lockstep.client.RejectedException;
import io.lockstep.machine.ClientId;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.server.config.Service;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * X5 with per-client secrets ({@code client.<id>.secret}): a client proves its own id at the
 * handshake and may only issue requests as that id or its own sessions ({@code id/…}); a
 * request in another client's name is refused with a clear reason and changes nothing.
 */
class ClientAuthenticationTest {
  private static final byte[] ALICE = "alice-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BOB = "bob-secret-0123456789abcdefgh".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static LockstepClient connect(TestCluster cluster, String id, byte[] secret) {
    ClientOptions options = cluster.clientOptions().withClientId(ClientId.of(id))
        .withSecret(secret).withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(3));
    return LockstepClient.connect(options);
  }

  @Test
  void eachClientProvesItsOwnIdAndCannotActAsAnother() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withClientSecrets(Map.of("alice", ALICE, "bob", BOB)))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (LockstepClient alice = connect(cluster, "alice", ALICE);
           KvClient kv = new KvClient(alice)) {
        kv.set("k", "by alice");
        assertThat(kv.get("k")).isEqualTo("by alice");
        KvClient session = new KvClient(alice.newSession());
        session.set("k", "by alice's session");
        assertThat(session.client().clientId().value()).startsWith("alice/");

        byte[] write = RedisOpCodec.encode(RedisOp.Set.of(bytes("k"), bytes("by mallory")));
        assertThatThrownBy(() -> alice.newSession(ClientId.of("bob")).submit(write).join())
            .hasCauseInstanceOf(RejectedException.class)
            .hasMessageContaining("client alice may not act as bob");
        assertThat(kv.get("k")).as("the forged write changed nothing")
            .isEqualTo("by alice's session");
      }
      try (LockstepClient wrong = connect(cluster, "alice", BOB)) {
        assertThatThrownBy(() -> new KvClient(wrong).set("k", "x"))
            .isInstanceOf(LockstepException.class);
      }
      int follower = leader % 3 + 1;
      try (Jedis jedis = new Jedis("127.0.0.1", cluster.server(follower).redisPort())) {
        assertThat(jedis.set("r", "v")).as("a follower's forwarder proves its own id")
            .isEqualTo("OK");
        assertThat(jedis.get("r")).isEqualTo("v");
      }
    }
  }

  @Test
  void aReplicatedClientsCopyIsBoundToTheClientReplicaThatSentIt() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 1, Service.KV,
        c -> c.withClientSecrets(Map.of("alice", ALICE)));
        io.lockstep.net.FrameClient frames = new io.lockstep.net.FrameClient(
            io.lockstep.net.ClientConfig.authenticated("test", "alice", ALICE,
                io.lockstep.net.NetOptions.defaults().withIoThreads(1)))) {
      cluster.start(1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      java.util.concurrent.BlockingQueue<io.lockstep.server.wire.ClientMessage> answers =
          new java.util.concurrent.LinkedBlockingQueue<>();
      io.lockstep.net.FrameConnection connection = frames.connect(
          cluster.config.replicas().get(0).client(), (c, payload) ->
              answers.add(io.lockstep.server.wire.ClientCodec.decode(payload)))
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
      for (String sender : java.util.List.of("alice", "bob")) {
        connection.send(io.lockstep.server.wire.ClientCodec.encode(
            new io.lockstep.server.wire.ClientMessage.Submit(1, new io.lockstep.request.Request(
                ClientId.of("sensor"), 1, io.lockstep.request.Request.Kind.COMMAND, new byte[] {1},
                ClientId.of(sender)))));
        io.lockstep.server.wire.ClientMessage answer =
            answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        String reason = ((io.lockstep.server.wire.ClientMessage.Replied) answer).reply().reason();
        if (sender.equals("alice")) {
          // Passed the port; the executor then refuses: "sensor" is not a replicated client here.
          assertThat(reason).doesNotContain("may not act as").contains("replicated client");
        } else {
          assertThat(reason).contains("client alice may not act as bob");
        }
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void redisPasswordIsRequiredOnEveryReplicaAndForwardingStillWorks() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withRedisPassword("s3cret"))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      int follower = leader % 3 + 1;
      try (Jedis a = new Jedis("127.0.0.1", cluster.server(follower).redisPort());
           Jedis b = new Jedis("127.0.0.1", cluster.server(leader).redisPort())) {
        assertThatThrownBy(() -> a.set("k", "v")).hasMessage("NOAUTH Authentication required.");
        assertThat(a.auth("s3cret")).isEqualTo("OK");
        assertThat(a.set("k", "v")).as("forwarded to the leader").isEqualTo("OK");
        assertThatThrownBy(() -> b.get("k")).hasMessageStartingWith("NOAUTH");
        assertThat(b.auth("s3cret")).isEqualTo("OK");
        assertThat(b.get("k")).isEqualTo("v");
      }
    }
  }
}
