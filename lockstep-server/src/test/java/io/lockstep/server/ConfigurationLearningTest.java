package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.AdminClient;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.request.Request;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7 over real TCP: a network client learns a new configuration from the version its
 * replies carry and by polling, without any file being copied; a client of an earlier build,
 * which does not ask for the version, still gets replies in the layout it reads.
 */
class ConfigurationLearningTest {
  @TempDir Path dir;

  @Test
  void aNetworkClientLearnsAChangedConfigurationFromItsReplies() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
         AdminClient admin = new AdminClient(cluster.config, cluster.clientOptions());
         LockstepClient client = cluster.client()) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      KvClient kv = new KvClient(client);
      CopyOnWriteArrayList<ClusterConfiguration> told = new CopyOnWriteArrayList<>();
      client.onConfiguration(told::add);
      kv.incr("n");
      assertThat(client.configVersionSeen()).isZero();
      assertThat(client.configuration()).isEqualTo(ClusterConfiguration.INITIAL);

      AdminClient.Outcome removed = admin.send(
          new SystemCommand.RemoveDevice("flap-1", 0), Duration.ofSeconds(10));
      assertThat(removed.ok()).as(removed.text()).isTrue();
      kv.incr("n");
      assertThat(client.configVersionSeen()).as("the reply carried the new version")
          .isPositive();
      ClusterConfiguration learned = await(client, client.configVersionSeen());
      assertThat(learned.pending()).singleElement()
          .satisfies(p -> assertThat(p.at()).isEqualTo(removed.at()));
      assertThat(told).contains(learned);

      // Once it takes effect the version moves again, and the client learns that too.
      while (client.configVersionSeen() == learned.version()) {
        kv.incr("n");
      }
      ClusterConfiguration after = await(client, client.configVersionSeen());
      assertThat(after.pending()).isEmpty();
      assertThat(after.removedDevices()).containsEntry("flap-1", removed.at());
    }
  }

  @Test
  void aClientThatDoesNotAskForTheVersionGetsTheEarlierReplyLayout() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 1, Service.KV);
         AdminClient admin = new AdminClient(cluster.config, cluster.clientOptions());
         FrameClient frames = new FrameClient(ClientConfig.unauthenticated("test", "old",
             NetOptions.defaults().withIoThreads(1)))) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      assertThat(admin.send(new SystemCommand.AddDevice("flap-1", 0), Duration.ofSeconds(10))
          .ok()).isTrue();
      CopyOnWriteArrayList<byte[]> answers = new CopyOnWriteArrayList<>();
      FrameConnection connection = frames.connect(cluster.config.replicas().get(0).client(),
          new FrameHandler() {
            @Override
            public void onFrame(FrameConnection c, byte[] payload) {
              answers.add(payload);
            }
          }).get(10, TimeUnit.SECONDS);
      byte[] incr = RedisOpCodec.encode(new RedisOp.IncrBy("n".getBytes(StandardCharsets.UTF_8), 1));
      connection.send(ClientCodec.encode(new ClientMessage.Submit(1,
          Request.command(ClientId.of("old"), 1, incr))));
      connection.send(ClientCodec.encode(new ClientMessage.Submit(2,
          Request.command(ClientId.of("new"), 1, incr), true)));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (answers.size() < 2 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(answers).hasSize(2);
      for (byte[] payload : answers) {
        ClientMessage.Replied replied = (ClientMessage.Replied) ClientCodec.decode(payload);
        if (replied.tag() == 1) {
          assertThat(payload[1]).as("type 3: what earlier builds read").isEqualTo((byte) 3);
          assertThat(replied.reply().configVersion()).isZero();
        } else {
          assertThat(payload[1]).isEqualTo((byte) 11);
          assertThat(replied.reply().configVersion()).isPositive();
        }
      }
    }
  }

  private static ClusterConfiguration await(LockstepClient client, long version)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.configuration().version() < version && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(client.configuration().version()).isGreaterThanOrEqualTo(version);
    return client.configuration();
  }
}
