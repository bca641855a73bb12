package io.lockstep.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientOptionsFromConfigTest {
  private static final byte[] KEY = new byte[16];
  @TempDir Path dir;

  @Test
  void aConfigFileGivesTheClusterNameEveryClientPortAndTheVoterOfItsFailureModel()
      throws Exception {
    ClusterConfig config = ClusterConfig.local("bank", 5, 7000, dir, Service.KV, new byte[32])
        .withMachine("com.example.Bank");
    Path file = dir.resolve("cluster.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.toProperties().store(out, null);
    }
    ClientOptions options = ClientOptions.fromConfig(file);
    assertThat(options.cluster()).isEqualTo("bank");
    assertThat(options.replicas()).extracting(a -> a.getPort())
        .containsExactly(7201, 7202, 7203, 7204, 7205);
    assertThat(options.failureModel()).isEqualTo(FailureModel.FAIL_STOP);
    assertThat(options.t()).isEqualTo(2);
    assertThat(options.secret()).isNull();
    assertThat(ClientOptions.fromConfig(file).clientId()).as("a fresh client id each time")
        .isNotEqualTo(options.clientId());
  }

  @Test
  void aSharedClientSecretIsCarriedAndPerClientSecretsNeedAnId() throws Exception {
    ClusterConfig base = ClusterConfig.local("bank", 3, 7000, dir, Service.KV, new byte[32]);
    Path file = dir.resolve("shared.properties");
    var properties = base.toProperties();
    properties.setProperty("client.secret", HexFormat.of().formatHex(KEY));
    try (var out = Files.newBufferedWriter(file)) {
      properties.store(out, null);
    }
    assertThat(ClientOptions.fromConfig(file).secret()).isEqualTo(KEY);

    ClusterConfig perClient = base.withClientSecrets(Map.of("alice", KEY));
    assertThatThrownBy(() -> ClientOptions.fromConfig(perClient))
        .hasMessageContaining("authenticates each client").hasMessageContaining("[alice]");
    ClientOptions alice = ClientOptions.fromConfig(perClient, "alice");
    assertThat(alice.clientId().value()).isEqualTo("alice");
    assertThat(alice.secret()).isEqualTo(KEY);
    assertThatThrownBy(() -> ClientOptions.fromConfig(perClient, "mallory"))
        .hasMessageContaining("has no client.mallory.secret");
  }
}
