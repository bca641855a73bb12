package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.order.CheckpointSeal;
import java.util.Objects;

/**
 * A checkpoint capture handed to the runtime to encode and digest off the replica's thread
 * ({@link Replica#takeCheckpointCaptures}), with what signs it there once its digest is known,
 * or null when the protocol signs on its own thread ({@link
 * io.lockstep.order.Coordination#checkpointSeal}).
 */
public record CheckpointCapture(CapturedSnapshot snapshot, CheckpointSeal seal) {
  public CheckpointCapture {
    Objects.requireNonNull(snapshot, "snapshot");
  }

  /** The applied position the state was captured at. */
  public long position() {
    return snapshot.position();
  }
}
