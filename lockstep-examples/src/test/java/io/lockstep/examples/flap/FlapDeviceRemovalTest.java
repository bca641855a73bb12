package io.lockstep.examples.flap;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Paper §7 (S20) for output devices: a device removed from the configuration stops at its
 * removal's stated position, having learned of it from the replies' configuration version and
 * a poll, while the other devices go on. The replicas are real executors.
 */
class FlapDeviceRemovalTest {
  private static final ClientId PILOT = ClientId.of("pilot");
  private static final int REPLICAS = 3;

  @Test
  void aRemovedDeviceActsOnNoOutputFromItsStatedPositionOnAndTheOthersGoOn() {
    List<Executor> replicas = new ArrayList<>();
    for (int r = 0; r < REPLICAS; r++) {
      replicas.add(new Executor(new FlapController(), ExecutorConfig.defaults(r)
          .withFailureModel(FailureModel.BYZANTINE, 1).withConfigurationDistance(3)));
    }
    List<Request> order = List.of(
        Request.command(PILOT, 1, FlapCodec.set(100)),
        Request.command(SystemCommands.ADMIN, 1,
            SystemCommands.encode(new SystemCommand.RemoveDevice(FlapActuator.name(1), 0))),
        Request.command(PILOT, 2, FlapCodec.set(110)),
        Request.command(PILOT, 3, FlapCodec.set(120)),
        Request.command(PILOT, 4, FlapCodec.set(130)),
        Request.command(PILOT, 5, FlapCodec.set(140)));
    List<FlapActuator> devices = List.of(
        new FlapActuator(0, PILOT, FailureModel.BYZANTINE, 1, REPLICAS),
        new FlapActuator(1, PILOT, FailureModel.BYZANTINE, 1, REPLICAS));
    List<Integer> positionsOfDevice1 = new ArrayList<>();
    for (int p = 0; p < order.size(); p++) {
      for (Executor replica : replicas) {
        for (Reply reply : replica.apply(new Ordered(p + 1, 1_000 + p, order.get(p)))) {
          for (FlapActuator device : devices) {
            device.receive(reply);
            if (device.wantsConfiguration()) {
              device.learn(ConfigurationCodec.decode(
                  replica.query(PILOT, ConfigurationQuery.bytes())));
            }
          }
        }
      }
      devices.get(1).position().ifPresent(positionsOfDevice1::add);
    }
    // The removal was ordered at position 2 and stated for 2 + 3 = 5: set(130) is at 5.
    assertThat(devices.get(1).position()).hasValue(120);
    assertThat(positionsOfDevice1).containsExactly(100, 100, 110, 120, 120, 120);
    assertThat(devices.get(0).position()).hasValue(140);
    assertThat(devices.get(1).actedOn()).as("it voted, and stayed where it was")
        .isEqualTo(5);
  }
}
