package io.lockstep.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An output device stops at its removal's stated position, known ahead from a poll. */
class DeviceGateTest {

  @Test
  void aDeviceThatLearnedOfAPendingRemovalStopsAtExactlyTheStatedPosition() {
    Reconfiguration replicated = new Reconfiguration();
    DeviceGate gate = new DeviceGate("flap-2");
    assertThat(gate.mayActuate(1_000)).isTrue();
    long at = replicated.order(new SystemCommand.RemoveDevice("flap-2", 0), 5, 10);
    assertThat(gate.shouldPoll(replicated.version())).isTrue();
    gate.learn(replicated.current());
    assertThat(gate.shouldPoll(replicated.version())).isFalse();
    assertThat(gate.mayActuate(at - 1)).isTrue();
    assertThat(gate.mayActuate(at)).isFalse();
    replicated.takeEffect(at);
    gate.learn(replicated.current());
    assertThat(gate.removedFrom()).contains(at);
    assertThat(new DeviceGate("flap-1").mayActuate(at)).isTrue();
  }

  @Test
  void anOlderAnswerDoesNotUndoANewerOne() {
    Reconfiguration replicated = new Reconfiguration();
    ClusterConfiguration before = replicated.current();
    replicated.order(new SystemCommand.RemoveDevice("flap-2", 0), 5, 10);
    DeviceGate gate = new DeviceGate("flap-2");
    gate.learn(replicated.current());
    gate.learn(before);
    assertThat(gate.mayActuate(100)).isFalse();
  }
}
