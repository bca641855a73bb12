package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import java.util.ArrayList;
import java.util.List;

/**
 * When one {@link Replica} snapshots its executor and how the snapshot reaches the protocol:
 * every {@code snapshotEvery} applied positions or when the protocol wants one, encoded in the
 * step that takes it, or (X2) captured and handed to the runtime to write and force off the
 * replica's thread, the protocol learning of it only once it is stored. Separate from the
 * replica because this bookkeeping (at most one capture outstanding, the Byzantine exception
 * below) is independent of stepping and applying, which the replica keeps.
 */
final class SnapshotSchedule {
  private final int id;
  private final Coordination coordination;
  private final Executor executor;
  private final long snapshotEvery;
  private final ReplicaJournal journal;
  private long lastSnapshotAt;
  private boolean writesSnapshotsElsewhere;
  /** A capture handed out or waiting to be, until the runtime reports it stored. */
  private CapturedSnapshot captured;
  private boolean capturedHandedOut;
  /** A digest fell due; the next checkpoint capture carries it (see captureCompared). */
  private boolean compareNextCheckpoint;
  /** Checkpoint captures the runtime has yet to take away, encode and digest. */
  private List<CheckpointCapture> checkpointCaptures = new ArrayList<>();

  SnapshotSchedule(int id, Coordination coordination, Executor executor, long snapshotEvery,
      ReplicaJournal journal) {
    this.id = id;
    this.coordination = coordination;
    this.executor = executor;
    this.snapshotEvery = snapshotEvery;
    this.journal = journal;
  }

  /** See {@link Replica#writeSnapshotsElsewhere()}. */
  void writeElsewhere() {
    writesSnapshotsElsewhere = true;
  }

  /** See {@link Replica#takeCapturedSnapshot()}. */
  CapturedSnapshot take() {
    if (captured == null || capturedHandedOut) {
      return null;
    }
    capturedHandedOut = true;
    return captured;
  }

  /** See {@link Replica#takeCheckpointCaptures()}. */
  List<CheckpointCapture> takeCheckpointCaptures() {
    if (checkpointCaptures.isEmpty()) {
      return List.of();
    }
    List<CheckpointCapture> out = checkpointCaptures;
    checkpointCaptures = new ArrayList<>();
    return out;
  }

  /** The runtime digested a checkpoint capture: the protocol gets its state now. */
  void digested(Step.CheckpointDigested digested) {
    coordination.step(new Input.SnapshotTaken(digested.position(), digested.state()));
    journal.snapshot(digested.position());
  }

  /** The runtime stored the capture it was handed: now the protocol learns of it. */
  void stored(Step.SnapshotStored stored) {
    if (captured == null || !capturedHandedOut || captured.position() != stored.position()) {
      throw new IllegalStateException("replica " + id + " was told its snapshot at "
          + stored.position() + " is stored, but the capture handed out is "
          + (captured == null || !capturedHandedOut ? "none" : "at " + captured.position()));
    }
    captured = null;
    capturedHandedOut = false;
    // The protocol ignores it if a newer snapshot (e.g. a leader's) was installed meanwhile.
    coordination.step(new Input.SnapshotTaken(stored.position(), stored.state()));
    journal.snapshot(stored.position());
  }

  /** After a Ready was handled: takes the snapshot that is due, if one is. */
  void afterReady() {
    snapshotForProtocolNow();
    boolean periodic = snapshotEvery > 0 && coordination.takesPeriodicSnapshots()
        && executor.appliedPosition() - lastSnapshotAt >= snapshotEvery;
    if (captured == null && (periodic || coordination.wantsSnapshot())) {
      lastSnapshotAt = executor.appliedPosition();
      CapturedSnapshot capture = executor.captureSnapshot();
      if (writesSnapshotsElsewhere) {
        captured = capture;
      } else {
        coordination.step(new Input.SnapshotTaken(lastSnapshotAt, capture.toByteArray()));
        journal.snapshot(lastSnapshotAt);
      }
    }
  }

  /**
   * A state digest is compared at the applied position (S1). When this replica writes its
   * snapshots elsewhere, has none outstanding, and its next periodic snapshot is due within a
   * quarter period, takes that snapshot here instead, {@link CapturedSnapshot#compared()
   * marked} so that the runtime digests the state file as it writes it: one capture and one
   * pass over the state instead of two. At a large state two captures alive for the second a
   * pass takes were promoted together and filled the old generation (a Raft replica at 46 MB,
   * whose default intervals put both at the same positions, made full collections of 0.5–1.2 s).
   * Equal intervals stay aligned: the period then counts from here.
   *
   * <p>A protocol whose checkpoints the runtime digests off this thread (PBFT) takes the whole
   * state at every checkpoint anyway, a few times per digest interval: there the digest rides
   * on the next checkpoint's capture instead, labelled with that checkpoint's position, where
   * every correct replica captures the same state (a checkpoint certifies it). A separate
   * capture added about a third to the O(state) work of checkpoints at the defaults.
   *
   * <p>True if the digest went with a capture taken here or to come.
   */
  boolean captureCompared() {
    if (checkpointsTakenLater()) {
      compareNextCheckpoint = true;
      return true;
    }
    long since = executor.appliedPosition() - lastSnapshotAt;
    if (!writesSnapshotsElsewhere || captured != null || snapshotEvery == 0
        || !coordination.takesPeriodicSnapshots() || since < snapshotEvery - snapshotEvery / 4) {
      return false;
    }
    lastSnapshotAt = executor.appliedPosition();
    captured = executor.captureSnapshot().compared();
    return true;
  }

  /** Whether checkpoint states are captured here and digested by the runtime (PBFT's). */
  private boolean checkpointsTakenLater() {
    return writesSnapshotsElsewhere && coordination.takesCheckpointStateLater()
        && executor.config().failureModel() == FailureModel.BYZANTINE;
  }

  /** The executor's state was replaced (start, install): the period counts from here. */
  void restartPeriod() {
    lastSnapshotAt = executor.appliedPosition();
    compareNextCheckpoint = false;
  }

  /**
   * When snapshots are written elsewhere, a snapshot reaches the protocol only after its file is
   * forced, many steps later, when more requests have been applied. That suits a crash-fault
   * protocol that {@link Coordination#wantsSnapshot wants} one to compact its log (Raft): it
   * must not drop entries before the file is durable. But a Byzantine protocol's checkpoint
   * (PBFT §4.3) certifies the state as of exactly the requests handed out so far and needs it
   * before its next Ready, or that Ready fails; durability is not what it asks for. So under
   * the Byzantine model the state is encoded here, on this thread, and stepped at once, while
   * the snapshots to disk keep their own schedule.
   *
   * <p>A protocol that {@link Coordination#takesCheckpointStateLater() takes the state later}
   * (PBFT) gets only the capture's position now, which costs the store's reference capture; the
   * runtime takes the capture ({@link #takeCheckpointCaptures()}), encodes and digests it on
   * another thread and hands it back as {@link Step.CheckpointDigested}. Encoding and hashing
   * the whole state here was most of this thread's time under a PBFT load. The protocol's
   * {@link Coordination#checkpointSeal seal}, asked once it knows of the capture, goes with it:
   * that thread signs the checkpoint too.
   */
  private void snapshotForProtocolNow() {
    if (!writesSnapshotsElsewhere || !coordination.wantsSnapshot()
        || executor.config().failureModel() != FailureModel.BYZANTINE) {
      return;
    }
    long position = executor.appliedPosition();
    CapturedSnapshot capture = executor.captureSnapshot();
    if (coordination.takesCheckpointStateLater()) {
      if (compareNextCheckpoint) {
        compareNextCheckpoint = false;
        capture = capture.compared();
      }
      coordination.step(new Input.StateCaptured(position));
      checkpointCaptures.add(new CheckpointCapture(capture,
          coordination.checkpointSeal(position), coordination.checkpointStateIndex(position)));
      return;
    }
    coordination.step(new Input.SnapshotTaken(position, capture.toByteArray()));
    journal.snapshot(position);
  }
}
