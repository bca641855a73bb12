package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.saveSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EIO and a full disk through the fault switch: a failed write or fsync is never reported durable,
 * the storage stays unusable until it is reopened, and reopening it after the fault cleared keeps
 * everything that was synced.
 */
class DiskFaultsTest {
  @TempDir Path dir;

  private static final FileStorage.Options SMALL = new FileStorage.Options(4096);

  private FileStorage open(DiskFaults faults) throws IOException {
    return FileStorage.open(dir, SMALL, faults);
  }

  @Test
  void aFullDiskFailsTheSyncKeepsTheStorageStoppedAndLosesNothingSynced() throws Exception {
    DiskFaults faults = DiskFaults.none();
    try (FileStorage storage = open(faults)) {
      storage.recover();
      storage.write(List.of(append(1, 3, 1)));
      storage.sync();
      faults.set(DiskFaults.Mode.FULL);
      storage.write(List.of(append(4, 5, 1)));
      assertThatThrownBy(storage::sync).hasMessageContaining("No space left on device");
      faults.set(DiskFaults.Mode.HEALTHY);
      assertThatThrownBy(storage::sync).as("no retry after a failure: it may have torn bytes")
          .hasMessageContaining("stays unusable until the replica restarts");
    }
    try (FileStorage reopened = open(DiskFaults.none())) {
      assertThat(Fixtures.indexes(reopened.recover())).startsWith(1L, 2L, 3L);
    }
  }

  @Test
  void aFailedFsyncIsNeverRetriedOnTheSameFiles() throws Exception {
    DiskFaults faults = DiskFaults.none();
    try (FileStorage storage = open(faults)) {
      storage.recover();
      storage.write(List.of(append(1, 2, 1)));
      faults.set(DiskFaults.Mode.SYNC_ERROR);
      assertThatThrownBy(storage::sync).hasMessageContaining("Input/output error");
      faults.set(DiskFaults.Mode.HEALTHY);
      assertThatThrownBy(() -> storage.write(List.of(append(3, 3, 1))))
          .hasMessageContaining("stays unusable");
    }
  }

  @Test
  void aSnapshotWriteOnAFullDiskFailsBeforeItsLogRecordIsWritten() throws Exception {
    DiskFaults faults = DiskFaults.none();
    try (FileStorage storage = open(faults)) {
      storage.recover();
      storage.write(List.of(append(1, 4, 1)));
      storage.sync();
      faults.set(DiskFaults.Mode.FULL);
      assertThatThrownBy(() -> storage.write(List.of(saveSnapshot(4, 1))))
          .hasMessageContaining("No space left on device");
    }
    try (FileStorage reopened = open(DiskFaults.none())) {
      var recovered = reopened.recover();
      assertThat(recovered.snapshot()).isNull();
      assertThat(Fixtures.indexes(recovered)).containsExactly(1L, 2L, 3L, 4L);
    }
  }

  @Test
  void eioOnReadMakesRecoveryFailWithTheReasonAndChangesNothing() throws Exception {
    try (FileStorage storage = open(DiskFaults.none())) {
      storage.recover();
      storage.write(List.of(append(1, 2, 1)));
      storage.sync();
    }
    DiskFaults faults = DiskFaults.none();
    faults.set(DiskFaults.Mode.READ_ERROR);
    try (FileStorage storage = open(faults)) {
      assertThatThrownBy(storage::recover).isNotInstanceOf(CorruptStorageException.class)
          .hasMessageContaining("Input/output error");
    }
    try (FileStorage storage = open(DiskFaults.none())) {
      assertThat(Fixtures.indexes(storage.recover())).containsExactly(1L, 2L);
    }
  }

  @Test
  void aStalledFsyncIsSlowButSucceeds() throws Exception {
    DiskFaults faults = DiskFaults.none();
    faults.stallSyncs(Duration.ofMillis(200));
    try (FileStorage storage = open(faults)) {
      storage.recover();
      storage.write(List.of(append(1, 1, 1)));
      long start = System.nanoTime();
      storage.sync();
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
      assertThat(storage.syncNanos()).isGreaterThanOrEqualTo(200_000_000L);
    }
    assertThatThrownBy(() -> faults.stallSyncs(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
