package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code --client-id}: the identity and secret CLI commands use as Java clients (X5). */
class ClientIdentityTest {
  private static final byte[] PEERS = new byte[32];
  private static final byte[] ALICE = "alice-secret-0123456789".getBytes();
  private final CommandSpec spec = new CommandLine(new Main()).getCommandSpec();

  private static ClientIdentity as(String id) {
    ClientIdentity identity = new ClientIdentity();
    identity.clientId = id;
    return identity;
  }

  @Test
  void perClientClustersNeedAKnownClientIdAndUseItsOwnSecret() {
    ClusterConfig config = ClusterConfig.local("c", 3, 7000, Path.of("/tmp/x"), Service.LOCK,
        PEERS).withClientSecrets(Map.of("alice", ALICE));
    assertThatThrownBy(() -> as(null).options(config, spec, "fallback"))
        .isInstanceOf(ParameterException.class).hasMessageContaining("pass --client-id")
        .hasMessageContaining("alice");
    assertThatThrownBy(() -> as("mallory").options(config, spec, "fallback"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("no client.mallory.secret");
    ClientOptions options = as("alice").options(config, spec, "fallback");
    assertThat(options.clientId().value()).isEqualTo("alice");
    assertThat(options.secret()).isEqualTo(ALICE);
  }

  @Test
  void otherClustersTakeTheFallbackIdAndTheSharedSecretIfAny() {
    ClusterConfig open = ClusterConfig.local("c", 3, 7000, Path.of("/tmp/x"), Service.KV, PEERS);
    ClientOptions options = as(null).options(open, spec, "fallback");
    assertThat(options.clientId().value()).isEqualTo("fallback");
    assertThat(options.secret()).isNull();
    assertThat(as("named").options(open, spec, "fallback").clientId().value())
        .isEqualTo("named");
  }

  @Test
  void aClusterOrderingInRoundsGetsAttemptsOfTwoTPlusThreeRoundsAndOthersKeepTheirs() {
    ClusterConfig plain = ClusterConfig.local("c", 3, 7000, Path.of("/tmp/x"), Service.KV, PEERS);
    ClientOptions usual = as(null).options(plain, spec, "fallback");
    assertThat(ClientIdentity.roundTimeouts(plain, usual)).isSameAs(usual);
    ClientOptions patient = ClientIdentity.roundTimeouts("1100", 1, usual);
    assertThat(patient.attemptTimeout()).isEqualTo(java.time.Duration.ofMillis(5 * 1100));
    assertThat(patient.deadline()).isEqualTo(patient.attemptTimeout().multipliedBy(8));
  }
}
