package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.order.CheckpointSeal;
import java.util.Objects;

/**
 * A checkpoint capture handed to the runtime to encode and digest off the replica's thread
 * ({@link Replica#takeCheckpointCaptures}), with what signs it there once its digest is known,
 * or null when the protocol signs on its own thread ({@link
 * io.lockstep.order.Coordination#checkpointSeal}), and the index its saved state will have
 * ({@link io.lockstep.order.Coordination#checkpointStateIndex}), which names its state file.
 */
public record CheckpointCapture(CapturedSnapshot snapshot, CheckpointSeal seal, long stateIndex) {
  public CheckpointCapture {
    Objects.requireNonNull(snapshot, "snapshot");
  }

  /** A capture whose state would be saved at its own position. */
  public CheckpointCapture(CapturedSnapshot snapshot, CheckpointSeal seal) {
    this(snapshot, seal, snapshot.position());
  }

  /** The applied position the state was captured at. */
  public long position() {
    return snapshot.position();
  }
}
