package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.SnapshotData;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots written by the runtime (X2): a capture is handed out once, no second one is taken
 * while it is being written, and the protocol learns of it only when the runtime reports the
 * very capture it was handed as stored.
 */
class SnapshotScheduleTest {
  private final ClientId client = ClientId.of("a");
  private final ScriptedCoordination protocol = new ScriptedCoordination();
  private final Replica replica = new Replica(0, protocol,
      new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 2, 0);

  private void inc(long sequence) {
    replica.propose(Request.command(client, sequence, utf8("inc")));
  }

  @Test
  void aCaptureIsHandedOutOnceAndTheNextWaitsUntilItIsStored() {
    replica.writeSnapshotsElsewhere();
    inc(1);
    inc(2);
    CapturedSnapshot first = replica.takeCapturedSnapshot();
    assertThat(first.position()).isEqualTo(2);
    assertThat(replica.takeCapturedSnapshot()).as("handed out once").isNull();
    inc(3);
    inc(4);
    assertThat(replica.takeCapturedSnapshot()).as("none while the first is written").isNull();
    assertThat(protocol.inputsOf(Input.SnapshotTaken.class)).isEmpty();

    replica.stepAll(List.of(new Step.SnapshotStored(2, SnapshotData.of(first.toByteArray()))));
    assertThat(protocol.inputsOf(Input.SnapshotTaken.class)).singleElement()
        .satisfies(taken -> assertThat(taken.position()).isEqualTo(2));
    assertThat(replica.takeCapturedSnapshot().position())
        .as("the snapshot that fell due while the first was written is captured now")
        .isEqualTo(4);
  }

  @Test
  void aStoredReportForACaptureNotHandedOutFailsLoudly() {
    replica.writeSnapshotsElsewhere();
    inc(1);
    inc(2);
    byte[] state = new byte[] {1};
    assertThatThrownBy(() -> replica.stepAll(
        List.of(new Step.SnapshotStored(2, SnapshotData.of(state)))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("none");
    CapturedSnapshot handed = replica.takeCapturedSnapshot();
    assertThatThrownBy(() -> replica.stepAll(
        List.of(new Step.SnapshotStored(1, SnapshotData.of(state)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at " + handed.position());
    assertThat(protocol.inputsOf(Input.SnapshotTaken.class)).isEmpty();
  }

  @Test
  void aProtocolThatKeepsItsOwnCheckpointsGetsNoPeriodicSnapshot() {
    protocol.periodicSnapshots = false;
    replica.writeSnapshotsElsewhere();
    for (long sequence = 1; sequence <= 6; sequence++) {
      inc(sequence);
    }
    assertThat(replica.takeCapturedSnapshot())
        .as("six positions past an interval of two, yet nothing captured to be written")
        .isNull();

    Replica encodingHere = new Replica(1, protocol,
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 2, 0);
    protocol.inputs.clear();
    for (long sequence = 1; sequence <= 6; sequence++) {
      encodingHere.propose(Request.command(client, sequence, utf8("inc")));
    }
    assertThat(protocol.inputsOf(Input.SnapshotTaken.class))
        .as("nor one encoded on the replica's thread").isEmpty();
  }
}
