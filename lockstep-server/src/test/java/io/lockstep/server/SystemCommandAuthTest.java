package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.RejectedException;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7 with an untrusted client population: system commands change who may use the
 * cluster, so they are taken only from an operator (a command signed with the cluster secret,
 * or a connection that proved the administrator's key), never from an ordinary client that
 * names itself {@code lockstep:admin}. A forged one is refused with the reason, counted, and
 * changes nothing.
 */
class SystemCommandAuthTest {
  private static final ClientId VICTIM = ClientId.of("victim");

  @TempDir Path dir;

  private static double refusals(TestCluster cluster, String kind) {
    return Arrays.stream(cluster.servers).mapToDouble(s -> s.metrics().adminRefusals(kind))
        .sum();
  }

  @Test
  void anOrdinaryClientsForgedSystemCommandIsRefusedCountedAndChangesNothing() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
         LockstepClient mallory = LockstepClient.connect(cluster.clientOptions()
             .withClientId(ClientId.of("mallory")));
         LockstepClient namedAdmin = LockstepClient.connect(cluster.clientOptions()
             .withClientId(SystemCommands.ADMIN));
         LockstepClient victim = LockstepClient.connect(
             cluster.clientOptions().withClientId(VICTIM));
         AdminClient operator = new AdminClient(cluster.config, cluster.clientOptions())) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      KvClient kv = new KvClient(victim);
      assertThat(kv.incr("n")).isEqualTo(1);
      byte[] remove = SystemCommands.encode(new SystemCommand.RemoveClient(VICTIM, 0));
      for (LockstepClient forger : List.of(mallory, namedAdmin)) {
        for (ClientId as : List.of(SystemCommands.ADMIN, SystemCommands.adminSession("x"))) {
          assertThatThrownBy(() -> forger.newSession(as).submit(remove).join())
              .hasCauseInstanceOf(RejectedException.class)
              .hasMessageContaining("system commands (requests of lockstep:admin) are taken"
                  + " only from an operator")
              .hasMessageContaining("this connection proved no key");
        }
      }
      assertThat(refusals(cluster, "unauthenticated")).isGreaterThanOrEqualTo(4);
      for (int i = 0; i < 100; i++) {
        assertThat(kv.incr("n")).as("the victim is still served").isEqualTo(i + 2);
      }
      ClusterConfiguration now = operator.configuration(Duration.ofSeconds(10));
      assertThat(now.version()).as("nothing was ordered").isZero();
      assertThat(now.clientRemovedAt(VICTIM)).isEmpty();
    }
  }

  @Test
  void aSystemCommandSignedWithAnotherSecretIsRefusedCountedAndChangesNothing()
      throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      byte[] wrong = TestCluster.SECRET.clone();
      wrong[0] ^= 1;
      ClusterConfig forged = ClusterConfig.local("test", 3, 20_000, dir.resolve("x"),
          Service.KV, wrong).withReplicas(cluster.config.replicas());
      try (AdminClient impostor = new AdminClient(forged, cluster.clientOptions());
           AdminClient operator = new AdminClient(cluster.config, cluster.clientOptions())) {
        AdminClient.Outcome refused = impostor.send(new SystemCommand.RemoveClient(VICTIM, 0),
            Duration.ofSeconds(10));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.text()).contains("not signed with this cluster's secret");
        assertThat(refusals(cluster, "signature")).isGreaterThanOrEqualTo(1);
        assertThat(operator.configuration(Duration.ofSeconds(10)).version()).isZero();

        AdminClient.Outcome added = operator.send(new SystemCommand.AddDevice("flap-1", 0),
            Duration.ofSeconds(10));
        assertThat(added.ok()).as(added.text()).isTrue();
        ClusterConfiguration after = operator.configuration(Duration.ofSeconds(10));
        assertThat(after.version()).isPositive();
        assertThat(after.pending()).hasSize(1);
      }
    }
  }

  @Test
  void aConnectionThatProvedTheAdministratorsKeyIssuesSystemCommands() throws Exception {
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3),
        List.of(SystemCommands.ADMIN.value(), "app"));
    try (TestCluster cluster = new TestCluster(dir.resolve("data"), 3, Service.KV,
        c -> c.withKeys(keys))) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      cluster.awaitLeader(Duration.ofSeconds(10));
      ClientOptions adminOptions = ClientOptions.fromConfig(cluster.config,
          SystemCommands.ADMIN.value()).withTimeouts(Duration.ofMillis(500),
          Duration.ofSeconds(10));
      ClientOptions appOptions = ClientOptions.fromConfig(cluster.config, "app")
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10));
      try (LockstepClient admin = LockstepClient.connect(adminOptions);
           LockstepClient app = LockstepClient.connect(appOptions)) {
        long at = SystemCommands.receiptPosition(admin.submit(SystemCommands.encode(
            new SystemCommand.AddDevice("flap-1", 0))).get());
        assertThat(at).isPositive();
        assertThatThrownBy(() -> app.newSession(SystemCommands.ADMIN).submit(
            SystemCommands.encode(new SystemCommand.RemoveDevice("flap-1", 0))).join())
            .hasCauseInstanceOf(RejectedException.class)
            .hasMessageContaining("this connection proved the key of client app");
      }
    }
  }
}
