package io.lockstep.executor;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.SnapshotData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Reads of an encoded executor snapshot: the configuration it holds, and the order in which a
 * restore reads it. Separate from {@link Executor} because they only stream
 * {@link SnapshotFormat} bytes (choosing the pre-streamed or streamed layout by version) and
 * touch none of the executor's own fields, which keeps the executor about ordering and
 * execution.
 */
final class SnapshotReading {
  private SnapshotReading() {}

  /**
   * The replicated configuration an encoded snapshot holds, read without restoring anything.
   *
   * @throws IllegalArgumentException if the snapshot is corrupt
   */
  static ClusterConfiguration configurationIn(SnapshotData data) {
    if (SnapshotFormat.version(data) < SnapshotFormat.FIRST_STREAMED) {
      return SnapshotFormat.decode(data.toByteArray(), 0).configuration();
    }
    try (InputStream in = data.open()) {
      return SnapshotFormat.open(in, data.size(), 0).image().configuration();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the snapshot's configuration", e);
    }
  }

  /**
   * Restores {@code machine} from {@code snapshot}, then hands the rest of the image to
   * {@code restoreRest}. A streamed snapshot is read twice: first whole, to check its checksum,
   * so a corrupt one changes nothing; then to restore it, the machine's chunks straight from the
   * stream, so a large state is never held whole in memory.
   *
   * @throws IllegalArgumentException if the snapshot is corrupt
   * @throws UncheckedIOException if stored snapshot data cannot be read
   */
  static void restore(SnapshotData snapshot, int replica, StateMachine machine,
      Consumer<ExecutorImage> restoreRest) {
    try {
      if (SnapshotFormat.version(snapshot) < SnapshotFormat.FIRST_STREAMED) {
        ExecutorImage image = SnapshotFormat.decode(snapshot.toByteArray(), replica);
        machine.restore(image.machine());
        restoreRest.accept(image);
        return;
      }
      SnapshotFormat.checkChecksum(snapshot);
      try (InputStream in = snapshot.open()) {
        SnapshotFormat.Opened opened = SnapshotFormat.open(in, snapshot.size(), replica);
        machine.restore(opened.machine());
        SnapshotFormat.close(opened);
        restoreRest.accept(opened.image());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the snapshot to restore", e);
    }
  }
}
