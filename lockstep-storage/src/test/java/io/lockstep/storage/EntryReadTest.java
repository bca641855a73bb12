package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.hardState;
import static io.lockstep.storage.Fixtures.saveSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.LogEntry;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading stored entries back by index ({@link FileStorage#readEntries}): what was written last
 * for each index, within a byte budget per read, across segments, after truncation, restarts
 * and compaction; and damage reported, never returned as entries.
 */
class EntryReadTest {
  @TempDir Path dir;

  /** Small segments, so that a few dozen entries span several. */
  private static final FileStorage.Options SMALL = new FileStorage.Options(1024);

  private FileStorage open() throws IOException {
    FileStorage storage = FileStorage.open(dir, SMALL);
    storage.recover();
    return storage;
  }

  private static void write(FileStorage storage, StorageWrite... writes) throws IOException {
    for (StorageWrite write : writes) {
      storage.write(List.of(write));
    }
  }

  private static List<Long> indexes(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::index).toList();
  }

  @Test
  void entriesAreReadBackAcrossSegmentsWithTheirTermsEvenBeforeTheyAreSynced() throws IOException {
    try (FileStorage storage = open()) {
      for (long i = 1; i <= 60; i++) {
        write(storage, append(i, i, 1 + i / 20));
      }
      assertThat(storage.segmentCount()).isGreaterThan(2);
      List<LogEntry> read = storage.readEntries(5, 45, Long.MAX_VALUE);
      assertThat(indexes(read)).containsExactlyElementsOf(
          java.util.stream.LongStream.rangeClosed(5, 45).boxed().toList());
      assertThat(read).allSatisfy(e -> assertThat(e).isEqualTo(Fixtures.entry(e.index(),
          1 + e.index() / 20)));
    }
  }

  @Test
  void aReadStopsAtTheRecordThatSpendsItsByteBudgetButReturnsAtLeastOneEntry()
      throws IOException {
    try (FileStorage storage = open()) {
      for (long i = 1; i <= 20; i++) {
        write(storage, append(i, i, 1));
      }
      assertThat(indexes(storage.readEntries(3, 20, 1))).containsExactly(3L);
      int oneRecord = 100; // each record here holds one entry of a few dozen bytes
      assertThat(storage.readEntries(3, 20, 2 * oneRecord)).hasSizeBetween(2, 4);
    }
  }

  @Test
  void aTruncatedSuffixIsReadAsItsReplacementNotAsTheOldEntries() throws IOException {
    try (FileStorage storage = open()) {
      write(storage, append(1, 10, 1), append(6, 8, 2), append(9, 9, 2));
      List<LogEntry> read = storage.readEntries(1, 20, Long.MAX_VALUE);
      assertThat(indexes(read)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(read.subList(5, 9)).allSatisfy(e -> assertThat(e.term()).isEqualTo(2));
      assertThat(read.subList(0, 5)).allSatisfy(e -> assertThat(e.term()).isEqualTo(1));
    }
  }

  @Test
  void entriesAreFoundAgainAfterARestart() throws IOException {
    try (FileStorage storage = open()) {
      write(storage, hardState(1, 0));
      for (long i = 1; i <= 40; i++) {
        write(storage, append(i, i, 1));
      }
      write(storage, append(30, 32, 2));
    }
    try (FileStorage storage = open()) {
      List<LogEntry> read = storage.readEntries(25, 40, Long.MAX_VALUE);
      assertThat(indexes(read)).containsExactly(25L, 26L, 27L, 28L, 29L, 30L, 31L, 32L);
      assertThat(read.get(5).term()).isEqualTo(2);
    }
  }

  @Test
  void compactedAndMissingEntriesReadAsNothing() throws IOException {
    try (FileStorage storage = open()) {
      for (long i = 1; i <= 60; i++) {
        write(storage, append(i, i, 1));
      }
      write(storage, saveSnapshot(50, 1));
      storage.sync(); // compaction deletes the segments the snapshot covers
      assertThat(storage.readEntries(1, 5, Long.MAX_VALUE)).isEmpty();
      assertThat(storage.readEntries(61, 70, Long.MAX_VALUE)).isEmpty();
      assertThat(indexes(storage.readEntries(55, 70, Long.MAX_VALUE)))
          .containsExactly(55L, 56L, 57L, 58L, 59L, 60L);
    }
  }

  @Test
  void aSnapshotThatReplacesTheLogLeavesNothingOfTheOldEntriesToRead() throws IOException {
    try (FileStorage storage = open()) {
      write(storage, append(1, 10, 1), saveSnapshot(20, 3), append(21, 22, 3));
      assertThat(storage.readEntries(5, 10, Long.MAX_VALUE)).isEmpty();
      assertThat(indexes(storage.readEntries(21, 30, Long.MAX_VALUE))).containsExactly(21L, 22L);
    }
  }

  @Test
  void aReadThatHitsAFlippedBitReportsTheDamageAndReturnsNoEntries() throws IOException {
    try (FileStorage storage = open()) {
      for (long i = 1; i <= 10; i++) {
        write(storage, append(i, i, 1));
      }
      storage.sync();
      Path segment = SegmentLog.pathFor(dir, 1);
      byte[] bytes = Files.readAllBytes(segment);
      bytes[(int) Fixtures.recordsEnd(segment) - 5] ^= 0x10; // inside the last record's payload
      Files.write(segment, bytes);
      assertThat(indexes(storage.readEntries(1, 9, Long.MAX_VALUE))).hasSize(9);
      assertThatThrownBy(() -> storage.readEntries(10, 10, Long.MAX_VALUE))
          .isInstanceOf(CorruptStorageException.class)
          .hasMessageContaining("checksum mismatch");
      assertThatThrownBy(() -> storage.readEntries(8, 10, Long.MAX_VALUE))
          .isInstanceOf(CorruptStorageException.class);
      // The read said nothing about the device's writes: the storage goes on.
      write(storage, append(11, 11, 1));
      storage.sync();
    }
  }

  @Test
  void aReadOfATornRecordReportsIt() throws IOException {
    try (FileStorage storage = open()) {
      write(storage, append(1, 3, 1));
      storage.sync();
      Path segment = SegmentLog.pathFor(dir, 1);
      try (var channel = java.nio.channels.FileChannel.open(segment,
          java.nio.file.StandardOpenOption.WRITE)) {
        channel.truncate(Fixtures.recordsEnd(segment) - 3);
      }
      assertThatThrownBy(() -> storage.readEntries(1, 3, Long.MAX_VALUE))
          .isInstanceOf(CorruptStorageException.class)
          .hasMessageContaining("ends inside a record");
    }
  }

  @Test
  void aFailedDiskReadIsReportedAndLeavesTheStorageUsable() throws IOException {
    DiskFaults faults = DiskFaults.none();
    try (FileStorage storage = FileStorage.open(dir, SMALL, faults)) {
      storage.recover();
      write(storage, append(1, 5, 1));
      faults.set(DiskFaults.Mode.READ_ERROR);
      assertThatThrownBy(() -> storage.readEntries(1, 5, Long.MAX_VALUE))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(CorruptStorageException.class)
          .hasMessageContaining("Input/output error");
      faults.set(DiskFaults.Mode.HEALTHY);
      write(storage, append(6, 6, 1));
      storage.sync();
      assertThat(indexes(storage.readEntries(1, 6, Long.MAX_VALUE))).hasSize(6);
    }
  }
}
