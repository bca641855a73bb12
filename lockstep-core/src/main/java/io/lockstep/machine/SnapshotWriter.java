package io.lockstep.machine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A state machine's state as it was when {@link StateMachine#captureSnapshot} returned, ready to
 * be written later, possibly on another thread while the machine goes on applying commands.
 *
 * <p>This split is what keeps a large snapshot off the replica's loop thread: the capture must be
 * cheap (references to immutable data, or a copy of small state), and the costly part
 * (serializing, checksumming, writing and forcing to disk) happens in {@link #writeTo}.
 */
@FunctionalInterface
public interface SnapshotWriter {
  /**
   * Writes the captured state; called at most once, from any single thread. The bytes must be
   * what {@link StateMachine#snapshot()} would have returned at capture time, so replicas with
   * equal state write equal bytes.
   */
  void writeTo(OutputStream out) throws IOException;
}
