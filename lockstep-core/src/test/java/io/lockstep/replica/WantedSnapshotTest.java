package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A protocol that certifies the executor's state (PBFT checkpoints) asks for a snapshot with
 * {@code wantsSnapshot()}: the replica takes it right after the Ready that raised it, even
 * with no snapshot schedule of its own, and only then.
 */
class WantedSnapshotTest {
  /** Wants the state after its second ordered request. */
  private static class Checkpointing extends ScriptedCoordination {
    boolean wants;

    @Override
    public void step(Input input) {
      super.step(input);
      if (input instanceof Input.Propose && wantsAfter(commitIndex)) {
        wants = true;
      } else if (input instanceof Input.SnapshotTaken || input instanceof Input.StateCaptured) {
        wants = false;
      }
    }

    /** Whether the state is wanted once {@code committed} requests are ordered. */
    boolean wantsAfter(long committed) {
      return committed == 2;
    }

    @Override
    public boolean wantsSnapshot() {
      return wants;
    }
  }

  /**
   * The same, taking the state in two steps (PBFT): captured now, digested and signed later. Its
   * seal exists only for a capture it was told of, and marks what it signs with the position.
   */
  private static final class DigestingLater extends Checkpointing {
    @Override
    public boolean takesCheckpointStateLater() {
      return true;
    }

    @Override
    public io.lockstep.order.CheckpointSeal checkpointSeal(long position) {
      boolean told = inputs.stream().anyMatch(i -> i instanceof Input.StateCaptured c
          && c.position() == position);
      return told ? sha256 -> new byte[] {(byte) position, sha256[0]} : null;
    }
  }

  @Test
  void theReplicaHandsOverTheStateExactlyWhereTheProtocolAsksForIt() {
    Checkpointing protocol = new Checkpointing();
    Replica replica = new Replica(0, protocol,
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 0, 0);
    ClientId a = ClientId.of("a");
    replica.propose(Request.command(a, 1, utf8("inc")));
    assertThat(protocol.inputs).noneMatch(i -> i instanceof Input.SnapshotTaken);
    replica.propose(Request.command(a, 2, utf8("inc")));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.SnapshotTaken).singleElement()
        .satisfies(i -> assertThat(((Input.SnapshotTaken) i).position()).isEqualTo(2));
    replica.propose(Request.command(a, 3, utf8("inc")));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.SnapshotTaken).hasSize(1);
  }

  /**
   * A server writes its snapshots on another thread and tells the protocol only once the file
   * is forced, many steps later; a protocol that wants the state must still have it before its
   * next Ready (PBFT's Ready throws otherwise, which stopped every real pbft replica at its
   * first checkpoint).
   */
  @Test
  void byzantineWhenSnapshotsAreWrittenElsewhereTheWantedStateStillArrivesAtOnce() {
    Checkpointing protocol = new Checkpointing();
    Replica replica = new Replica(0, protocol, new Executor(new CounterMachine(),
        ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1)), 0, 0);
    replica.writeSnapshotsElsewhere();
    ClientId a = ClientId.of("a");
    replica.propose(Request.command(a, 1, utf8("inc")));
    replica.propose(Request.command(a, 2, utf8("inc")));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.SnapshotTaken).singleElement()
        .satisfies(i -> assertThat(((Input.SnapshotTaken) i).position()).isEqualTo(2));
    assertThat(protocol.wantsSnapshot()).isFalse();
    assertThat(replica.takeCapturedSnapshot())
        .as("no snapshot schedule of its own: nothing for the runtime to write").isNull();
    replica.propose(Request.command(a, 3, utf8("inc")));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.SnapshotTaken).hasSize(1);
  }

  /**
   * A crash-fault protocol wants a snapshot to compact its log (Raft's log-bytes trigger): with
   * snapshots written elsewhere it must learn of it only once the file is durable, so the
   * replica hands the capture to the runtime and steps nothing yet.
   */
  @Test
  void failStopWhenSnapshotsAreWrittenElsewhereTheWantedSnapshotWaitsForItsFile() {
    Checkpointing protocol = new Checkpointing();
    Replica replica = new Replica(0, protocol,
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 0, 0);
    replica.writeSnapshotsElsewhere();
    ClientId a = ClientId.of("a");
    replica.propose(Request.command(a, 1, utf8("inc")));
    replica.propose(Request.command(a, 2, utf8("inc")));
    assertThat(protocol.inputs).noneMatch(i -> i instanceof Input.SnapshotTaken);
    assertThat(replica.takeCapturedSnapshot()).as("handed to the runtime to write")
        .satisfies(c -> assertThat(c.position()).isEqualTo(2));
  }

  /**
   * PBFT takes its checkpoint's state later: the replica captures it right after the Ready that
   * asked, steps only {@code StateCaptured} at that position, and hands the capture to the
   * runtime; the state later applied does not leak into it, and the runtime's digested bytes
   * reach the protocol as {@code SnapshotTaken} at the same position.
   */
  @Test
  void byzantineWhenTheProtocolTakesTheStateLaterOnlyTheCaptureIsSteppedAndTheDigestFollows()
      throws Exception {
    DigestingLater protocol = new DigestingLater();
    Replica replica = new Replica(0, protocol, new Executor(new CounterMachine(),
        ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1)), 0, 0);
    replica.writeSnapshotsElsewhere();
    ClientId a = ClientId.of("a");
    replica.propose(Request.command(a, 1, utf8("inc")));
    replica.propose(Request.command(a, 2, utf8("inc")));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.StateCaptured).singleElement()
        .satisfies(i -> assertThat(((Input.StateCaptured) i).position()).isEqualTo(2));
    assertThat(protocol.inputs).noneMatch(i -> i instanceof Input.SnapshotTaken);
    assertThat(protocol.wantsSnapshot()).isFalse();
    List<CheckpointCapture> captures = replica.takeCheckpointCaptures();
    assertThat(captures).singleElement().satisfies(c -> assertThat(c.position()).isEqualTo(2));
    assertThat(captures.get(0).seal()).as("asked after the protocol knew of the capture")
        .isNotNull();
    assertThat(replica.takeCheckpointCaptures()).as("handed out once").isEmpty();

    replica.propose(Request.command(a, 3, utf8("inc"))); // applied after the capture
    byte[] encoded = captures.get(0).snapshot().toByteArray();
    Executor fresh = new Executor(new CounterMachine(), ExecutorConfig.defaults(0));
    fresh.restore(io.lockstep.order.SnapshotData.of(encoded));
    assertThat(fresh.appliedPosition()).as("the capture is the state at 2").isEqualTo(2);

    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(encoded);
    assertThat(io.lockstep.order.SnapshotData.of(encoded).sha256())
        .as("what the simulator's in-memory data computes inline").isEqualTo(digest);
    byte[] seal = captures.get(0).seal().sign(digest);
    replica.stepAll(List.of(new Step.CheckpointDigested(2,
        io.lockstep.order.SnapshotData.digested(encoded, digest, seal))));
    assertThat(protocol.inputs).filteredOn(i -> i instanceof Input.SnapshotTaken).singleElement()
        .satisfies(i -> {
          Input.SnapshotTaken taken = (Input.SnapshotTaken) i;
          assertThat(taken.position()).isEqualTo(2);
          assertThat(taken.state().sha256()).isEqualTo(digest);
          assertThat(taken.state().seal()).as("the signature reaches the protocol with the state")
              .containsExactly(2, digest[0]);
        });
  }

  /** Wants the state after every third ordered request and takes it later (PBFT's checkpoints). */
  private static final class CheckpointingEveryThird extends Checkpointing {
    @Override
    boolean wantsAfter(long committed) {
      return committed % 3 == 0;
    }

    @Override
    public boolean takesCheckpointStateLater() {
      return true;
    }
  }

  /** What a replica handed out over twelve increments: checkpoint and separate digest captures. */
  private record Captures(List<CapturedSnapshot> checkpoints, List<CapturedSnapshot> separate) {}

  /** Twelve increments under a protocol checkpointing every third, digests every 4 positions. */
  private static Captures twelve(boolean elsewhere) {
    Replica replica = new Replica(0, new CheckpointingEveryThird(), new Executor(
        new CounterMachine(), ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE,
            1)), 0, 4);
    if (elsewhere) {
      replica.writeSnapshotsElsewhere();
    }
    Captures captures = new Captures(new ArrayList<>(), new ArrayList<>());
    for (long sequence = 1; sequence <= 12; sequence++) {
      Effects effects = replica.propose(Request.command(ClientId.of("a"), sequence, utf8("inc")));
      captures.separate().addAll(effects.checkpoints());
      replica.takeCheckpointCaptures().forEach(c -> captures.checkpoints().add(c.snapshot()));
    }
    return captures;
  }

  /**
   * Under PBFT every checkpoint captures the whole state anyway; a divergence digest that falls
   * due rides on the next checkpoint's capture, at that checkpoint's position (where every
   * correct replica's state is the same), instead of costing a capture and a pass of its own.
   */
  @Test
  void byzantineADueDigestRidesOnTheNextCheckpointCaptureInsteadOfACaptureOfItsOwn() {
    Captures run = twelve(true);
    assertThat(run.checkpoints()).extracting(CapturedSnapshot::position)
        .containsExactly(3L, 6L, 9L, 12L);
    assertThat(run.checkpoints()).extracting(CapturedSnapshot::isCompared)
        .as("due at 4, 8 and 12: carried by the checkpoints at 6, 9 and 12")
        .containsExactly(false, true, true, true);
    assertThat(run.separate()).as("no capture of its own").isEmpty();

    Captures inStep = twelve(false);
    assertThat(inStep.separate()).as("encoding in its steps (the simulator), digests stay apart")
        .extracting(CapturedSnapshot::position)
        .containsExactly(4L, 8L, 12L);
  }
}
