package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.Transmitter;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code client.transmitter=relay} cannot work it is refused with the reason: only PBFT
 * replicas relay a request handed to one of them, and only a Byzantine-mode client with its own
 * key has the key-authenticated connections whose keys make the authenticator.
 */
class RelayTransmitterRefusalTest {
  @TempDir Path dir;

  @Test
  void relayIsForByzantinePbftClustersOnly() throws Exception {
    ClusterConfig pbft = FiveByzantineMachines.five(dir.resolve("pbft"));
    assertThat(Transmitter.RELAY.refusal(pbft)).isNull();

    ClusterConfig raft = ClusterConfig.local("f", 3, 20_000, dir, Service.KV,
        TestCluster.SECRET);
    assertThat(Transmitter.RELAY.refusal(raft)).contains("client.transmitter=relay")
        .contains("cluster f runs raft").contains(FailureModel.FAIL_STOP.configName())
        .contains("(pbft)");

    ClusterConfig uid = ByzantineUidCluster.config(dir.resolve("uid"), List.of("carol"));
    assertThat(Transmitter.RELAY.refusal(uid)).contains("runs replica-uid")
        .contains(FailureModel.BYZANTINE.configName());
    assertThatThrownBy(() -> ClientOptions.fromConfig(uid, "carol")
        .withTransmitter(Transmitter.RELAY, uid)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs replica-uid");
    // The modes differ: replica-uid takes a signed request from one replica, pbft does not.
    assertThat(Transmitter.ONE_REPLICA.refusal(uid)).isNull();
    assertThat(Transmitter.ONE_REPLICA.refusal(pbft)).contains("use broadcast or relay");
  }

  @Test
  void aKeyedPbftClientRelaysByDefaultAndOthersBroadcast() throws Exception {
    ClusterConfig pbft = FiveByzantineMachines.five(dir.resolve("pbft"));
    assertThat(Transmitter.defaultFor(pbft)).isEqualTo(Transmitter.RELAY);
    assertThat(ClientOptions.fromConfig(pbft, "proxy").transmitter())
        .isEqualTo(Transmitter.RELAY);
    ClusterConfig uid = ByzantineUidCluster.config(dir.resolve("uid"), List.of("carol"));
    assertThat(Transmitter.defaultFor(uid)).isEqualTo(Transmitter.BROADCAST);
    assertThat(ClientOptions.fromConfig(uid, "carol").transmitter())
        .isEqualTo(Transmitter.BROADCAST);
  }

  @Test
  void relayNeedsAByzantineClientWithItsOwnKey() throws Exception {
    ClusterConfig pbft = FiveByzantineMachines.five(dir.resolve("pbft"));
    assertThat(ClientOptions.fromConfig(pbft, "proxy").withTransmitter(Transmitter.RELAY, pbft)
        .transmitter()).isEqualTo(Transmitter.RELAY);

    ClientOptions keyless = ClientOptions.of("byz",
        List.of(new InetSocketAddress("127.0.0.1", 1)));
    assertThatThrownBy(() -> keyless.withTransmitter(Transmitter.RELAY, pbft))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client.transmitter=relay needs a Byzantine-mode client")
        .hasMessageContaining("authenticator").hasMessageContaining("without a key");
    ClientOptions failStop = ClientOptions.fromConfig(pbft, "proxy")
        .withTransmitter(Transmitter.BROADCAST, pbft).withFailureModel(FailureModel.FAIL_STOP);
    assertThatThrownBy(() -> failStop.withTransmitter(Transmitter.RELAY, pbft))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client.transmitter=relay needs a Byzantine-mode client")
        .hasMessageNotContaining("without a key");
  }

  @Test
  void theSettingIsNamedRelay() {
    assertThat(Transmitter.RELAY.setting()).isEqualTo("relay");
    assertThat(Transmitter.parse("relay")).isEqualTo(Transmitter.RELAY);
    assertThatThrownBy(() -> Transmitter.parse("relays")).hasMessageContaining("relay");
  }
}
