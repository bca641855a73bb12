package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.AdminClient;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.RejectedException;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.machine.ClientId;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7 (S20) on real replicas: the operator removes a client with a signed system command
 * (as {@code lockstep client remove} does), and the client's requests are refused from the
 * stated position on with the executor's final error; the configuration can be polled.
 */
class ClientRemovalTest {
  private static final ClientId VICTIM = ClientId.of("victim");

  @TempDir Path dir;

  @Test
  void aRemovedClientIsRefusedFromTheStatedPositionOnOverTheNetwork() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
         AdminClient admin = new AdminClient(cluster.config, cluster.clientOptions());
         LockstepClient victim = LockstepClient.connect(
             cluster.clientOptions().withClientId(VICTIM))) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      KvClient kv = new KvClient(victim);
      assertThat(kv.incr("n")).isEqualTo(1);
      AdminClient.Outcome removed = admin.send(new SystemCommand.RemoveClient(VICTIM, 0),
          Duration.ofSeconds(10));
      assertThat(removed.ok()).as(removed.text()).isTrue();
      long at = removed.at();
      String refusal = null;
      long served = 1;
      for (int i = 0; i < 1_000 && refusal == null; i++) {
        try {
          served = kv.incr("n");
        } catch (RejectedException | CompletionException e) {
          refusal = e.getMessage();
        }
      }
      assertThat(refusal).contains(ClusterConfiguration.removedClientReason(VICTIM, at));
      assertThat(served).as("served until the stated position").isGreaterThan(1);
      ClusterConfiguration polled = admin.configuration(Duration.ofSeconds(10));
      assertThat(polled.clientRemovedAt(VICTIM)).contains(at);
    }
  }
}
