package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.describe;
import static io.lockstep.storage.Fixtures.hardState;
import static io.lockstep.storage.Fixtures.indexes;
import static io.lockstep.storage.Fixtures.saveSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {
  @TempDir Path dir;

  private FileStorage openRecovered(FileStorage.Options options) throws IOException {
    FileStorage storage = FileStorage.open(dir, options);
    storage.recover();
    return storage;
  }

  private Recovered reopen() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      return storage.recover();
    }
  }

  private List<String> files(String glob) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .filter(name -> dir.getFileSystem().getPathMatcher("glob:" + glob)
              .matches(Path.of(name)))
          .sorted().toList();
    }
  }

  @Test
  void freshDirectoryRecoversNothing() throws IOException {
    assertThat(reopen()).isEqualTo(Recovered.EMPTY);
  }

  @Test
  void syncedHardStateEntriesAndSnapshotSurviveRestart() throws IOException {
    ReferenceLog expected = new ReferenceLog();
    List<StorageWrite> writes = List.of(hardState(3, 2), append(1, 10, 3), saveSnapshot(4, 3),
        append(11, 12, 3), hardState(4, -1));
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(writes);
      storage.sync();
    }
    writes.forEach(expected::apply);
    Recovered recovered = reopen();
    assertThat(describe(recovered)).isEqualTo(describe(expected.recovered()));
    assertThat(indexes(recovered)).containsExactlyElementsOf(
        LongStream.rangeClosed(5, 12).boxed().toList());
  }

  @Test
  void appendAtOrBelowTheLastIndexOverwritesTheSuffix() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 10, 1)));
      storage.write(List.of(append(6, 8, 2)));
      storage.sync();
    }
    Recovered recovered = reopen();
    assertThat(indexes(recovered)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(recovered.entries().get(4).term()).isEqualTo(1);
    assertThat(recovered.entries().get(5).term()).isEqualTo(2);
  }

  @Test
  void appendReachingBelowTheSnapshotStoresOnlyWhatTheSnapshotDoesNotCover() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 5, 1), saveSnapshot(5, 1), append(3, 7, 2)));
      storage.sync();
    }
    Recovered recovered = reopen();
    assertThat(recovered.snapshot().index()).isEqualTo(5);
    assertThat(indexes(recovered)).containsExactly(6L, 7L);
  }

  @Test
  void snapshotWhoseTermDiffersFromTheLogReplacesTheWholeLog() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 10, 1), saveSnapshot(7, 2)));
      storage.sync();
    }
    Recovered recovered = reopen();
    assertThat(recovered.snapshot().index()).isEqualTo(7);
    assertThat(recovered.entries()).isEmpty();
  }

  @Test
  void invalidWriteIsRejectedWholeAndChangesNothing() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 3, 1)));
      assertThatThrownBy(() -> storage.write(List.of(hardState(9, 1), append(5, 6, 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gap after last index 3");
      assertThatThrownBy(() -> storage.write(List.of(saveSnapshot(0, 1))))
          .isInstanceOf(IllegalArgumentException.class);
      storage.write(List.of(append(4, 4, 1)));
      storage.sync();
    }
    Recovered recovered = reopen();
    assertThat(recovered.hardState()).isNull();
    assertThat(indexes(recovered)).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void snapshotOlderThanTheStoredOneIsRejected() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 9, 1), saveSnapshot(8, 1)));
      assertThatThrownBy(() -> storage.write(List.of(saveSnapshot(5, 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("older than the stored one at 8");
    }
  }

  @Test
  void durableSnapshotDeletesTheSegmentsItCoversAndOlderSnapshots() throws IOException {
    FileStorage.Options small = new FileStorage.Options(4096);
    try (FileStorage storage = openRecovered(small)) {
      for (long i = 1; i <= 400; i += 10) {
        storage.write(List.of(append(i, i + 9, 1)));
        storage.sync();
      }
      storage.write(List.of(saveSnapshot(100, 1)));
      storage.sync();
      int before = storage.segmentCount();
      assertThat(before).isGreaterThan(5);
      storage.write(List.of(saveSnapshot(380, 1)));
      storage.sync();
      assertThat(storage.segmentCount()).isLessThan(before).isLessThanOrEqualTo(2);
      assertThat(files("segment-*.log")).hasSize(storage.segmentCount());
      assertThat(files("snapshot-*")).containsExactly(Fixtures.snapshotName(380, 1));
    }
    Recovered recovered = reopen();
    assertThat(recovered.snapshot().index()).isEqualTo(380);
    assertThat(indexes(recovered)).containsExactlyElementsOf(
        LongStream.rangeClosed(381, 400).boxed().toList());
  }

  @Test
  void segmentsRollAtTheConfiguredSizeAndReplayInOrder() throws IOException {
    try (FileStorage storage = openRecovered(new FileStorage.Options(2048))) {
      for (long i = 1; i <= 300; i++) {
        storage.write(List.of(hardState(i, (int) (i % 3)), append(i, i, i)));
      }
      storage.sync();
      assertThat(storage.segmentCount()).isGreaterThan(10);
    }
    Recovered recovered = reopen();
    assertThat(recovered.hardState()).isEqualTo(hardState(300, 0));
    assertThat(recovered.entries()).hasSize(300);
    assertThat(recovered.entries().get(299).term()).isEqualTo(300);
  }

  @Test
  void largeAppendIsSplitIntoSeveralRecords() throws IOException {
    byte[] big = new byte[512 * 1024];
    List<io.lockstep.order.LogEntry> entries = LongStream.rangeClosed(1, 20)
        .mapToObj(i -> new io.lockstep.order.LogEntry(i, 1, i, io.lockstep.request.Request.command(
            io.lockstep.machine.ClientId.of("c"), i, big)))
        .toList();
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(new StorageWrite.Append(entries)));
      storage.sync();
      assertThat(storage.bytesWritten()).isGreaterThan(20L * big.length);
    }
    assertThat(reopen().entries()).hasSize(20);
  }

  @Test
  void appendsOfManySmallEntriesWithLongClientIdsStayWithinTheRecordLimit() throws IOException {
    String longId = "\u00e9".repeat(io.lockstep.machine.ClientId.MAX_LENGTH);
    List<io.lockstep.order.LogEntry> entries = LongStream.rangeClosed(1, 40_000)
        .mapToObj(i -> new io.lockstep.order.LogEntry(i, 1, i, new io.lockstep.request.Request(
            io.lockstep.machine.ClientId.of(longId), i, io.lockstep.request.Request.Kind.COMMAND,
            new byte[0], io.lockstep.machine.ClientId.of(longId))))
        .toList();
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(new StorageWrite.Append(entries)));
      storage.sync();
    }
    assertThat(reopen().entries()).hasSize(40_000);
  }

  @Test
  void storageCountsItsFsyncsAndSkipsSyncWhenNothingIsPending() throws IOException {
    try (FileStorage storage = openRecovered(FileStorage.Options.defaults())) {
      storage.write(List.of(append(1, 1, 1)));
      storage.sync();
      long syncs = storage.syncs();
      storage.sync();
      assertThat(storage.syncs()).isEqualTo(syncs);
      storage.write(List.of(append(2, 2, 1)));
      storage.sync();
      assertThat(storage.syncs()).isEqualTo(syncs + 1);
      assertThat(storage.syncNanos()).isPositive();
    }
  }

  @Test
  void secondOpenOfADirectoryInUseIsRefused() throws IOException {
    try (FileStorage held = FileStorage.open(dir)) {
      assertThat(held.directory()).isEqualTo(dir.toAbsolutePath());
      assertThatThrownBy(() -> FileStorage.open(dir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another replica");
    }
    FileStorage.open(dir).close();
  }

  @Test
  void writingBeforeRecoveryIsRefused() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      assertThatThrownBy(() -> storage.write(List.of(append(1, 1, 1))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("recover()");
    }
  }

  @Test
  void optionsRejectAbsurdSegmentSizes() {
    assertThatThrownBy(() -> new FileStorage.Options(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentBytes");
  }

  @Test
  void aFailedFsyncLeavesTheStorageUnusable() throws IOException {
    Disk failing = new Disk() {
      @Override
      void forceChannel(java.nio.channels.FileChannel channel, boolean metadata)
          throws IOException {
        throw new IOException("injected EIO");
      }
    };
    try (FileStorage storage = FileStorage.open(dir, FileStorage.Options.defaults(), failing)) {
      storage.recover();
      storage.write(List.of(append(1, 1, 1)));
      assertThatThrownBy(storage::sync).isInstanceOf(IOException.class)
          .hasMessageContaining("injected EIO");
      assertThatThrownBy(() -> storage.write(List.of(append(2, 2, 1))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("unusable until the replica restarts");
      assertThatThrownBy(storage::sync).isInstanceOf(IOException.class);
    }
  }
}
