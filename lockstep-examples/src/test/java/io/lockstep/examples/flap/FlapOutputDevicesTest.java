package io.lockstep.examples.flap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Paper §4 (S15): outputs used outside the system go to replicated devices, each with its own
 * voter, and the external reader takes the last vote. The replicas here are real executors
 * running {@link FlapController}; faulty replicas replace their outputs, faulty devices report a
 * position of their own or none.
 */
class FlapOutputDevicesTest {
  private static final ClientId PILOT = ClientId.of("pilot");
  private static final int WRONG = 400;

  /** A faulty device: it reports whatever it likes, or nothing. */
  private record FaultyActuator(int device, OptionalInt position) implements Actuator {}

  @Test
  void byzantineFlapTakesTheCorrectAngleWithTLyingReplicasAndTFaultyDevices() {
    for (int t = 1; t <= 3; t++) {
      int n = 2 * t + 1;
      List<FlapActuator> correct = actuators(FailureModel.BYZANTINE, t, n, t + 1);
      List<Actuator> devices = new ArrayList<>(correct);
      for (int d = t + 1; d < n; d++) {
        // The faulty devices collude on one wrong angle: the worst case for the last vote.
        devices.add(new FaultyActuator(d, OptionalInt.of(WRONG)));
      }
      // The first t replicas lie, and their outputs arrive first at every device.
      deliver(run(n, FlapCodec.set(150), FlapCodec.set(225)), correct, t, true);
      for (FlapActuator device : correct) {
        assertThat(device.position()).as("device %d, t=%d", device.device(), t).hasValue(225);
      }
      assertThat(new FlapSurface(FailureModel.BYZANTINE, t).read(devices)).hasValue(225);
    }
  }

  @Test
  void deviceWithoutItsOwnByzantineVoteFollowsTheFirstLiar() {
    List<FlapActuator> trusting = actuators(FailureModel.FAIL_STOP, 0, 3, 1);
    deliver(run(3, FlapCodec.set(150)), trusting, 1, true);
    assertThat(trusting.get(0).position()).hasValue(WRONG);
  }

  @Test
  void tPlusOneColludingReplicasAreBeyondWhatTwoTPlusOneMask() {
    List<FlapActuator> devices = actuators(FailureModel.BYZANTINE, 1, 3, 3);
    deliver(run(3, FlapCodec.set(150)), devices, 2, true);
    assertThat(devices.get(0).position()).hasValue(WRONG);
  }

  @Test
  void tPlusOneFaultyDevicesOutvoteTheCorrectOnes() {
    List<FlapActuator> correct = actuators(FailureModel.BYZANTINE, 1, 3, 1);
    deliver(run(3, FlapCodec.set(150)), correct, 0, false);
    List<Actuator> devices = new ArrayList<>(correct);
    devices.add(new FaultyActuator(1, OptionalInt.of(WRONG)));
    devices.add(new FaultyActuator(2, OptionalInt.of(WRONG)));
    assertThat(new FlapSurface(FailureModel.BYZANTINE, 1).read(devices)).hasValue(WRONG);
  }

  @Test
  void failStopFlapTakesTheFirstOutputWithTCrashedReplicasAndTCrashedDevices() {
    for (int t = 1; t <= 3; t++) {
      int n = t + 1;
      List<FlapActuator> correct = actuators(FailureModel.FAIL_STOP, t, n, 1);
      List<List<Reply>> outputs = run(n, FlapCodec.set(80), FlapCodec.set(310));
      // t replicas crashed before sending anything: only the last one's outputs arrive.
      deliver(outputs.subList(t, n), correct, 0, false);
      List<Actuator> devices = new ArrayList<>(correct);
      for (int d = 1; d < n; d++) {
        devices.add(new FaultyActuator(d, OptionalInt.empty()));
      }
      assertThat(new FlapSurface(FailureModel.FAIL_STOP, t).read(devices)).hasValue(310);
    }
  }

  @Test
  void refusedSetLeavesEveryDeviceWhereItWas() {
    List<FlapActuator> devices = actuators(FailureModel.BYZANTINE, 1, 3, 3);
    deliver(run(3, FlapCodec.set(150), FlapCodec.set(FlapController.MAX_ANGLE + 1)),
        devices, 0, false);
    for (FlapActuator device : devices) {
      assertThat(device.position()).hasValue(150);
      assertThat(device.actedOn()).isEqualTo(2);
    }
  }

  @Test
  void repliesThatAreNotTheControllersOutputsAreDroppedAndCounted() {
    FlapActuator device = actuators(FailureModel.FAIL_STOP, 0, 1, 1).get(0);
    device.receive(output(ClientId.of("intruder"), 1, 0, 9));
    device.receive(output(PILOT, 1, 7, 9));
    device.receive(output(PILOT, FlapActuator.WINDOW + 1, 0, 9));
    assertThat(device.position()).isEmpty();
    assertThat(device.dropped()).isEqualTo(3);
    assertThat(device.openVotes()).isZero();
    device.receive(output(PILOT, 2, 0, 120));
    device.receive(output(PILOT, 1, 0, 9));
    assertThat(device.position()).as("an older set never undoes a newer one").hasValue(120);
    assertThat(device.dropped()).isEqualTo(4);
  }

  @Test
  void tooFewDevicesOrReplicasAreRefusedWithTheReason() {
    FlapSurface surface = new FlapSurface(FailureModel.BYZANTINE, 1);
    List<Actuator> two = List.of(new FaultyActuator(0, OptionalInt.of(1)),
        new FaultyActuator(1, OptionalInt.of(1)));
    assertThatThrownBy(() -> surface.read(two)).hasMessageContaining("needs at least 3");
    assertThatThrownBy(() -> new FlapActuator(0, PILOT, FailureModel.BYZANTINE, 1, 2))
        .hasMessageContaining("needs at least 3");
    List<Actuator> twins = List.of(new FaultyActuator(0, OptionalInt.of(1)),
        new FaultyActuator(0, OptionalInt.of(1)), new FaultyActuator(1, OptionalInt.of(1)));
    assertThatThrownBy(() -> surface.read(twins)).hasMessageContaining("numbered 0");
  }

  private static List<FlapActuator> actuators(FailureModel model, int t, int n, int count) {
    List<FlapActuator> devices = new ArrayList<>();
    for (int d = 0; d < count; d++) {
      devices.add(new FlapActuator(d, PILOT, model, t, n));
    }
    return devices;
  }

  /** Runs the pilot's commands on n replicas; returns each replica's outputs in order. */
  private static List<List<Reply>> run(int n, byte[]... commands) {
    List<List<Reply>> outputs = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      Executor executor = new Executor(new FlapController(), ExecutorConfig.defaults(r));
      List<Reply> replies = new ArrayList<>();
      for (int i = 0; i < commands.length; i++) {
        Request request = Request.command(PILOT, i + 1, commands[i]);
        replies.addAll(executor.apply(new Ordered(i + 1, 1000L * (i + 1), request)));
      }
      outputs.add(replies);
    }
    return outputs;
  }

  /**
   * Sends every output to every device, request by request, replicas in order; the first
   * {@code liars} replicas replace each OK output by {@link #WRONG} when {@code lie}.
   */
  private static void deliver(
      List<List<Reply>> outputs, List<FlapActuator> devices, int liars, boolean lie) {
    for (int i = 0; i < outputs.get(0).size(); i++) {
      for (int r = 0; r < outputs.size(); r++) {
        Reply reply = outputs.get(r).get(i);
        if (lie && r < liars) {
          reply = output(reply.client(), reply.sequence(), reply.replica(), WRONG);
        }
        for (FlapActuator device : devices) {
          device.receive(reply);
        }
      }
    }
  }

  private static Reply output(ClientId client, long sequence, int replica, int angle) {
    return new Reply(client, sequence, Reply.Status.OK, FlapCodec.encodeAngle(angle), "",
        sequence, replica);
  }
}
