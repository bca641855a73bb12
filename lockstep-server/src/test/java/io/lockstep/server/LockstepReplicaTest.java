package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockstepClient;
import io.lockstep.redis.RedisStore;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: one builder runs the built-in services and users' own machines. */
class LockstepReplicaTest {
  @TempDir Path dir;

  @Test
  void aUsersMachineRunsOnAThreeReplicaClusterAndAnswersAClientMadeFromTheConfig()
      throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withMachine(CounterMachine.class.getName()))) {
      for (int id = 1; id <= 3; id++) {
        cluster.servers[id - 1] = LockstepReplica.builder().config(cluster.config).id(id)
            .machine(CounterMachine::new).start();
      }
      assertThat(cluster.server(1).machineClass()).isEqualTo(CounterMachine.class.getName());
      assertThat(cluster.server(1).redisPort()).as("no Redis port for a user's machine")
          .isEqualTo(-1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      ClientOptions options = ClientOptions.fromConfig(cluster.config)
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10));
      try (LockstepClient client = LockstepClient.connect(options)) {
        assertThat(total(client.submitBlocking(eight(5)))).isEqualTo(5);
        assertThat(total(client.submitBlocking(eight(7)))).isEqualTo(12);
        assertThat(total(client.queryBlocking(new byte[0]))).isEqualTo(12);
        // A replica restarted from the config alone loads cluster.machine by name.
        cluster.stop(3);
        cluster.start(3);
        assertThat(cluster.server(3).machineClass()).isEqualTo(CounterMachine.class.getName());
        assertThat(total(client.submitBlocking(eight(1)))).isEqualTo(13);
        awaitApplied(cluster.server(3), cluster.server(1).status().applied());
      }
    }
  }

  @Test
  void aReplicaGivenAnotherMachineThanTheConfigNamesIsRefusedBeforeTouchingStorage() {
    ClusterConfig config = ClusterConfig.local("t", 3, 20_000, dir, Service.KV, new byte[32])
        .withMachine(CounterMachine.class.getName());
    assertThatThrownBy(() -> LockstepReplica.builder().config(config).id(1)
        .machine(new RedisStore()).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replica 1 was given machine io.lockstep.redis.RedisStore, but cluster t"
            + " runs cluster.machine=io.lockstep.server.CounterMachine; every replica must run"
            + " the same state machine");
    assertThatThrownBy(() -> LockstepReplica.builder().config(config).id(1)
        .machineClass("com.example.Other").start())
        .hasMessageContaining("was given machine com.example.Other");
    assertThat(Files.exists(config.dataDirOf(1))).isFalse();
  }

  @Test
  void aReplicaWhoseDataAnotherMachineWroteRefusesToStartAfterTheConfigChanged()
      throws Exception {
    try (TestCluster counter = new TestCluster(dir, 1, Service.KV,
        c -> c.withMachine(CounterMachine.class.getName()))) {
      counter.start(1);
      counter.stop(1);
      ClusterConfig nowKv = ClusterConfig.local("test", 1, 20_000, dir, Service.KV,
          TestCluster.SECRET).withReplicas(counter.config.replicas());
      assertThatThrownBy(() -> LockstepReplica.builder().config(nowKv).id(1).start())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("replica 1's data in " + counter.config.dataDirOf(1) + " was written by"
              + " machine io.lockstep.server.CounterMachine, not io.lockstep.redis.RedisStore;"
              + " run that machine, or give this one a fresh data directory");
      counter.start(1);
      assertThat(counter.server(1).machineClass()).isEqualTo(CounterMachine.class.getName());
    }
  }

  @Test
  void aBuiltInServiceRefusesAUsersMachineToo() {
    ClusterConfig kv = ClusterConfig.local("t", 3, 20_000, dir, Service.KV, new byte[32]);
    assertThatThrownBy(() -> LockstepReplica.builder().config(kv).id(2)
        .machine(new CounterMachine()).start())
        .hasMessageContaining("cluster t runs cluster.service=kv (io.lockstep.redis.RedisStore)");
    assertThat(LockstepReplica.machineClassOf(kv)).isEqualTo(RedisStore.class.getName());
  }

  @Test
  void aMissingIdOrConfigOrAnUnknownReplicaIsAClearError() {
    ClusterConfig kv = ClusterConfig.local("t", 3, 20_000, dir, Service.KV, new byte[32]);
    assertThatThrownBy(() -> LockstepReplica.builder().config(kv).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("id(n) is required");
    assertThatThrownBy(() -> LockstepReplica.builder().id(1).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("config(...) is required");
    assertThatThrownBy(() -> LockstepReplica.builder().config(kv).id(9).start())
        .hasMessageContaining("replica 9 is not in the cluster configuration");
  }

  @Test
  void aMachineClassTheJarsDoNotHoldIsOneLineNamingTheClassAndJar() throws Exception {
    Path jar = MachineJars.compile(dir, "empty", Map.of("other.Thing",
        "package other; public class Thing { }"));
    ClusterConfig config = ClusterConfig.local("t", 3, 20_000, dir, Service.KV, new byte[32])
        .withMachine("com.example.Bank");
    assertThatThrownBy(() -> LockstepReplica.builder().config(config).id(1)
        .classpath(java.util.List.of(jar)).start())
        .isInstanceOf(MachineLoader.MachineLoadException.class)
        .hasMessage("machine class com.example.Bank not found in [" + jar + "]");
  }

  private static void awaitApplied(ReplicaServer server, long position) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.status().applied() < position) {
      if (System.nanoTime() > end) {
        throw new AssertionError("replica " + server.id() + " applied "
            + server.status().applied() + ", not " + position);
      }
      Thread.sleep(10);
    }
  }

  private static byte[] eight(long n) {
    return ByteBuffer.allocate(8).putLong(n).array();
  }

  private static long total(byte[] reply) {
    return ByteBuffer.wrap(reply).getLong();
  }
}
