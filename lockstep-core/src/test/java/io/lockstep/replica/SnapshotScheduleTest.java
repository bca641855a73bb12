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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots written by the runtime (X2): a capture is handed out once, no second one is taken
 * while it is being written, and the protocol learns of it only when the runtime reports the
 * very capture it was handed as stored. A snapshot nearly due where a state digest is compared
 * is taken there and carries that digest.
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

  /** Positions a replica compares digests at, and the captures it handed out to be written. */
  private record Run(List<CapturedSnapshot> separate, List<CapturedSnapshot> written) {}

  /** Applies {@code positions} increments, storing each handed-out capture at once. */
  private Run run(long snapshotEvery, long digestEvery, boolean elsewhere, int positions) {
    Replica r = new Replica(0, new ScriptedCoordination(),
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), snapshotEvery, digestEvery);
    if (elsewhere) {
      r.writeSnapshotsElsewhere();
    }
    Run run = new Run(new ArrayList<>(), new ArrayList<>());
    for (long sequence = 1; sequence <= positions; sequence++) {
      Effects effects = r.propose(Request.command(client, sequence, utf8("inc")));
      run.separate().addAll(effects.checkpoints());
      CapturedSnapshot handed = r.takeCapturedSnapshot();
      if (handed != null) {
        run.written().add(handed);
        r.stepAll(List.of(new Step.SnapshotStored(handed.position(),
            SnapshotData.of(new byte[] {1}))));
      }
    }
    return run;
  }

  private static List<Long> positions(List<CapturedSnapshot> captures) {
    return captures.stream().map(CapturedSnapshot::position).toList();
  }

  @Test
  void withEqualIntervalsEverySnapshotIsTakenWhereTheDigestIsAndCarriesIt() {
    Run run = run(4, 4, true, 13);
    assertThat(positions(run.written())).containsExactly(4L, 8L, 12L);
    assertThat(run.written()).allMatch(CapturedSnapshot::isCompared);
    assertThat(run.separate()).as("no second capture at a position the snapshot covers").isEmpty();

    Run inStep = run(4, 4, false, 13);
    assertThat(positions(inStep.separate())).containsExactly(4L, 8L, 12L);
    for (int i = 0; i < 3; i++) {
      assertThat(run.written().get(i).digest()).as("the digest a separate capture would give")
          .isEqualTo(inStep.separate().get(i).digest());
    }
  }

  @Test
  void aSnapshotIsTakenEarlyAtADigestOnlyWithinAQuarterPeriodOfBeingDue() {
    Run run = run(16, 4, true, 29);
    assertThat(positions(run.written())).as("12 and 24 are within 4 of due; none else")
        .containsExactly(12L, 24L);
    assertThat(run.written()).allMatch(CapturedSnapshot::isCompared);
    assertThat(positions(run.separate())).containsExactly(4L, 8L, 16L, 20L, 28L);
    assertThat(run.separate()).noneMatch(CapturedSnapshot::isCompared);
  }

  @Test
  void aDigestWhileASnapshotIsBeingWrittenIsCapturedApart() {
    Replica r = new Replica(0, new ScriptedCoordination(),
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 2, 3);
    r.writeSnapshotsElsewhere();
    List<CapturedSnapshot> separate = new ArrayList<>();
    for (long sequence = 1; sequence <= 3; sequence++) {
      separate.addAll(r.propose(Request.command(client, sequence, utf8("inc"))).checkpoints());
    }
    CapturedSnapshot handed = r.takeCapturedSnapshot();
    assertThat(handed.position()).as("the snapshot at 2 is still being written").isEqualTo(2);
    assertThat(handed.isCompared()).isFalse();
    assertThat(positions(separate)).containsExactly(3L);
  }
}
