package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ByzantineCheckOnlyProtocol;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime hands a protocol's replica-set check and its build the settings the replica's
 * storage recorded ({@code Protocol.withRecordedSettings}), not only the cluster file's: pbft's
 * required distance of a replica-set change is window × max-batch positions, so a check built
 * from the file's default max-batch while the core runs with the recorded one would state
 * changes at other distances than the core assumes.
 */
class RecordedSettingsWiringTest {
  @TempDir Path dir;

  @Test
  void theReplicaSetCheckAndTheBuildGetTheRecordedSettings() throws Exception {
    ClusterConfig config = ClusterConfig.local("recorded", 4, 20_000, dir.resolve("data"),
        Service.KV, TestCluster.SECRET)
        .withKeys(ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 4), List.of()))
        .withFailureModel(FailureModel.BYZANTINE, 1, ByzantineCheckOnlyProtocol.NAME);
    // The fixture's build always refuses; what it says shows which settings reached it, and its
    // replica-set check, built first, refuses the file's settings alone.
    assertThatThrownBy(() -> ReplicaServer.start(config, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(ByzantineCheckOnlyProtocol.NAME + " only checks configurations (a test"
            + " fixture); given the settings its storage recorded");
  }
}
