package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot being sent stays readable while compaction after a newer snapshot deletes its
 * file ({@link SnapshotData#pin()}), until the transfer releases it.
 */
class PinnedStateTest {
  private static final int STATE_BYTES = 3 << 20;

  @TempDir Path dir;

  private static byte[] state(long seed) {
    byte[] bytes = new byte[STATE_BYTES];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  private static Snapshot save(FileStorage storage, long index, byte[] state) throws IOException {
    SnapshotData data = storage.snapshotStateWriter().write(index, out -> out.write(state));
    Snapshot snapshot = new Snapshot(index, 1, 1_000 + index, List.of(1, 2, 3), data);
    storage.write(List.of(new StorageWrite.SaveSnapshot(snapshot)));
    storage.sync();
    return snapshot;
  }

  @Test
  void aPinnedSnapshotStaysReadableAfterCompactionDeletesItsFileUntilReleased()
      throws IOException {
    byte[] old = state(1);
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 40, 1)));
      storage.sync();
      Snapshot first = save(storage, 15, old);
      SnapshotData.Pin pin = first.data().pin();
      save(storage, 30, state(2));
      assertThat(SnapshotFiles.statePath(dir, 15)).as("compaction deleted the older state file")
          .doesNotExist();
      assertThatThrownBy(() -> first.data().read(0, 10)).as("unpinned, it is gone")
          .isInstanceOf(UncheckedIOException.class);

      SnapshotData pinned = pin.data();
      assertThat(pinned.size()).isEqualTo(old.length);
      assertThat(pinned.read(2 << 20, 1 << 20))
          .isEqualTo(java.util.Arrays.copyOfRange(old, 2 << 20, 3 << 20));
      try (InputStream in = pinned.open()) {
        assertThat(in.readAllBytes()).isEqualTo(old);
      }
      pin.release();
      pin.release(); // idempotent
      assertThat(((PinnedState) pin).held()).isFalse();
      assertThatThrownBy(() -> pinned.read(0, 10)).isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void dataInMemoryNeedsNoPinAndItsPinIsItself() {
    SnapshotData data = SnapshotData.of(new byte[] {1, 2, 3});
    SnapshotData.Pin pin = data.pin();
    assertThat(pin.data()).isSameAs(data);
    pin.release();
    assertThat(pin.data().read(0, 3)).containsExactly(1, 2, 3);
  }

  @Test
  void pinningAStateWhoseFileIsGoneFailsLoudly() throws IOException {
    Path missing = dir.resolve("snapshot-00000000000000000009.state");
    StoredState state = new StoredState(missing, 10, 0);
    assertThat(Files.exists(missing)).isFalse();
    assertThatThrownBy(state::pin).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot pin");
  }
}
