package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.hardState;
import static io.lockstep.storage.Fixtures.indexes;
import static io.lockstep.storage.Fixtures.saveSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.storage.codec.BinaryWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery tells a crash's torn tail from damage; it reports damage in the middle of the log to
 * the protocol for repair, and refuses to start where no safe prefix exists (X1).
 */
class CorruptionTest {
  @TempDir Path dir;
  /** Where a crash copy of {@code dir} goes. */
  @TempDir Path elsewhere;

  private void store(FileStorage.Options options, List<StorageWrite> writes) throws IOException {
    try (FileStorage storage = FileStorage.open(dir, options)) {
      storage.recover();
      for (StorageWrite write : writes) {
        storage.write(List.of(write));
        storage.sync();
      }
    }
  }

  private Recovered recover() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      return storage.recover();
    }
  }

  private Path segment(long sequence) {
    return SegmentLog.pathFor(dir, sequence);
  }

  private static void flipBit(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x10;
    Files.write(file, bytes);
  }

  private static List<StorageWrite> appends(long count) {
    return LongStream.rangeClosed(1, count).mapToObj(i -> (StorageWrite) append(i, i, 1)).toList();
  }

  @Test
  void bitFlipInTheMiddleOfTheLastSegmentReportsTheValidPrefixAndWhatWasLost() throws IOException {
    store(FileStorage.Options.defaults(), appends(50));
    long middle = Fixtures.recordsEnd(segment(1)) / 2;
    flipBit(segment(1), middle);
    Recovered recovered = recover();
    Recovered.Damage damage = recovered.damage();
    assertThat(damage).isNotNull();
    long kept = recovered.entries().size();
    assertThat(kept).isBetween(10L, 40L);
    assertThat(indexes(recovered)).isEqualTo(LongStream.rangeClosed(1, kept).boxed().toList());
    assertThat(damage.damagedFrom()).isEqualTo(kept + 1);
    // The records after the flipped one still show what this replica may have acknowledged.
    assertThat(damage.acknowledgedBound()).isEqualTo(50);
    assertThat(damage.description()).contains("segment-00000000000000000001.log at byte offset ")
        .contains("checksum mismatch").contains("a valid record follows");
    assertThat(Path.of(segment(1) + ".damaged")).exists();
  }

  @Test
  void bitFlipInAnOlderSegmentSetsAsideThatSegmentsTailAndEveryLaterSegment() throws IOException {
    store(new FileStorage.Options(2048), appends(100));
    assertThat(Files.exists(segment(3))).isTrue();
    flipBit(segment(1), Files.size(segment(1)) - 3);
    Recovered recovered = recover();
    assertThat(recovered.damage()).isNotNull();
    assertThat(recovered.damage().acknowledgedBound()).isEqualTo(100);
    assertThat(recovered.damage().description()).contains("segment-00000000000000000001.log")
        .contains("a later segment exists");
    assertThat(recovered.entries()).isNotEmpty().hasSizeLessThan(100);
    assertThat(segment(2)).doesNotExist();
    assertThat(Path.of(segment(2) + ".damaged")).exists();
  }

  @Test
  void damageIsReportedAgainAfterACrashUntilTheProtocolsNextHardStateIsDurable()
      throws IOException {
    store(FileStorage.Options.defaults(), appends(50));
    flipBit(segment(1), Fixtures.recordsEnd(segment(1)) / 2);
    Recovered first = recover();
    // A crash before the protocol wrote anything: the cut log looks valid, the marker remembers.
    Recovered again = recover();
    assertThat(again.damage()).isNotNull();
    assertThat(again.damage().acknowledgedBound()).isEqualTo(50);
    assertThat(again.entries()).hasSameSizeAs(first.entries());
    // Appending repaired entries alone does not clear it; a durable hard state does.
    long next = first.entries().size() + 1;
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(next, next, 1)));
      storage.sync();
    }
    assertThat(recover().damage()).isNotNull();
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(hardState(3, 1)));
      storage.sync();
    }
    Recovered repaired = recover();
    assertThat(repaired.damage()).isNull();
    assertThat(repaired.entries()).hasSize((int) next);
  }

  @Test
  void tornTailIsCutWithAWarningAndWritingContinuesAfterIt() throws IOException {
    store(FileStorage.Options.defaults(), appends(20));
    long synced = Fixtures.recordsEnd(segment(1));
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(21, 30, 2)));
      storage.sync();
    }
    long full = Fixtures.recordsEnd(segment(1));
    try (var channel = java.nio.channels.FileChannel.open(segment(1), StandardOpenOption.WRITE)) {
      channel.truncate(synced + (full - synced) / 2);
    }
    try (LogCapture log = new LogCapture(FileStorage.class);
        FileStorage storage = FileStorage.open(dir)) {
      Recovered recovered = storage.recover();
      assertThat(indexes(recovered)).containsExactlyElementsOf(
          LongStream.rangeClosed(1, 20).boxed().toList());
      assertThat(log.warnings()).anySatisfy(w -> assertThat(w)
          .contains("torn tail", segment(1).toString(), (full - synced) / 2 + " bytes"));
      storage.write(List.of(append(21, 22, 3)));
    }
    assertThat(indexes(recover())).hasSize(22);
    assertThat(Files.size(segment(1))).isGreaterThan(synced);
  }

  @Test
  void zerosAfterTheLastRecordEndTheSegmentAndWritingContinuesOverThem() throws IOException {
    store(FileStorage.Options.defaults(), appends(5));
    long end = Fixtures.recordsEnd(segment(1));
    long prepared = Files.size(segment(1));
    assertThat(prepared).as("zeros written ahead of the records").isGreaterThan(end);
    try (LogCapture log = new LogCapture(FileStorage.class);
        FileStorage storage = FileStorage.open(dir)) {
      assertThat(indexes(storage.recover())).hasSize(5);
      assertThat(log.warnings()).noneSatisfy(w -> assertThat(w).contains("torn tail"));
      storage.write(List.of(append(6, 8, 1)));
      storage.sync();
    }
    assertThat(Files.size(segment(1))).isEqualTo(prepared);
    assertThat(Fixtures.recordsEnd(segment(1))).isGreaterThan(end);
    assertThat(indexes(recover())).containsExactlyElementsOf(
        LongStream.rangeClosed(1, 8).boxed().toList());
  }

  @Test
  void aTornRecordBeforeTheZerosIsATornTail() throws IOException {
    store(FileStorage.Options.defaults(), appends(5));
    long end = Fixtures.recordsEnd(segment(1));
    // A crash inside the sixth record's write: its first bytes landed, the rest is still zeros.
    byte[] bytes = Files.readAllBytes(segment(1));
    System.arraycopy(new byte[] {0, 0, 0, 40, 1, 2}, 0, bytes, (int) end, 6);
    Files.write(segment(1), bytes);
    try (LogCapture log = new LogCapture(FileStorage.class)) {
      assertThat(indexes(recover())).hasSize(5);
      assertThat(log.warnings()).anySatisfy(w -> assertThat(w)
          .contains("torn tail", segment(1).toString(), "byte offset " + end));
    }
    assertThat(Files.size(segment(1))).isEqualTo(end);
  }

  @Test
  void zerosAtTheEndOfAnEarlierSegmentAreDamage() throws IOException {
    store(new FileStorage.Options(2048), appends(100));
    assertThat(Files.exists(segment(3))).isTrue();
    assertThat(Files.size(segment(1))).as("cut to its last record when the log rolled")
        .isEqualTo(Fixtures.recordsEnd(segment(1)));
    Files.write(segment(1), new byte[64], StandardOpenOption.APPEND);
    Recovered recovered = recover();
    assertThat(recovered.damage()).isNotNull();
    assertThat(recovered.damage().description()).contains("segment-00000000000000000001.log")
        .contains("a later segment exists");
  }

  @Test
  void corruptNewestSnapshotGivesWayToTheOlderOneWhileTheLogStillCoversIt() throws IOException {
    store(FileStorage.Options.defaults(), List.of(hardState(1, 1), append(1, 20, 1),
        saveSnapshot(10, 1)));
    byte[] older = Files.readAllBytes(dir.resolve(Fixtures.snapshotName(10, 1)));
    store(FileStorage.Options.defaults(), List.of(saveSnapshot(15, 1)));
    // A crash after snapshot 15 became durable but before snapshot 10 was deleted:
    Path olderFile = dir.resolve(Fixtures.snapshotName(10, 1));
    Files.write(olderFile, older);
    Path newer = dir.resolve(Fixtures.snapshotName(15, 1));
    flipBit(newer, Files.size(newer) - 2);
    try (LogCapture log = new LogCapture(FileStorage.class)) {
      Recovered recovered = recover();
      assertThat(recovered.snapshot().index()).isEqualTo(10);
      assertThat(indexes(recovered)).containsExactlyElementsOf(
          LongStream.rangeClosed(11, 20).boxed().toList());
      assertThat(log.warnings()).anySatisfy(w -> assertThat(w).contains("checksum mismatch"));
    }
    assertThat(dir.resolve(newer.getFileName() + ".corrupt")).exists();
    assertThat(newer).doesNotExist();
  }

  @Test
  void corruptSnapshotThatIsTheOnlyOneIsReportedLostOnceTheLogWasCompacted() throws IOException {
    List<StorageWrite> writes = new java.util.ArrayList<>();
    for (long i = 1; i <= 200; i += 10) {
      writes.add(append(i, i + 9, 1));
    }
    writes.add(saveSnapshot(150, 1));
    store(new FileStorage.Options(2048), writes);
    assertThat(segment(1)).doesNotExist();
    Path only = dir.resolve(Fixtures.snapshotName(150, 1));
    flipBit(only, 20);
    Recovered recovered = recover();
    assertThat(recovered.snapshot()).isNull();
    assertThat(recovered.entries()).isEmpty();
    assertThat(recovered.damage()).isNotNull();
    assertThat(recovered.damage().damagedFrom()).isEqualTo(1);
    assertThat(recovered.damage().acknowledgedBound()).isEqualTo(200);
    assertThat(recovered.damage().description()).contains(only.toString())
        .contains("snapshot 150 is unusable: checksum mismatch")
        .contains("no older snapshot can stand in for it");
    assertThat(Path.of(only + ".corrupt")).exists();
    // The replica starts over from what its peers send; the marker keeps the damage on record.
    try (FileStorage storage = FileStorage.open(dir)) {
      assertThat(storage.recover().damage()).isNotNull();
      storage.write(List.of(append(1, 3, 1), hardState(2, 1)));
      storage.sync();
    }
    Recovered restarted = recover();
    assertThat(restarted.damage()).isNull();
    assertThat(indexes(restarted)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void corruptOnlySnapshotGivesWayToTheLogWhileTheLogStillHoldsEveryEntry() throws IOException {
    store(FileStorage.Options.defaults(), List.of(append(1, 20, 1), saveSnapshot(10, 1)));
    flipBit(dir.resolve(Fixtures.snapshotName(10, 1)), 20);
    Recovered recovered = recover();
    assertThat(recovered.snapshot()).isNull();
    assertThat(indexes(recovered)).containsExactlyElementsOf(
        LongStream.rangeClosed(1, 20).boxed().toList());
  }

  @Test
  void olderSnapshotCannotStandInOnceTheLogWasCompacted() throws IOException {
    FileStorage.Options small = new FileStorage.Options(2048);
    store(small, List.of(append(1, 40, 1), saveSnapshot(20, 1)));
    byte[] older = Files.readAllBytes(dir.resolve(Fixtures.snapshotName(20, 1)));
    List<StorageWrite> more = new java.util.ArrayList<>(appends(0));
    for (long i = 41; i <= 200; i += 10) {
      more.add(append(i, i + 9, 1));
    }
    more.add(saveSnapshot(190, 1));
    store(small, more);
    assertThat(Files.exists(segment(1))).isFalse();
    Files.write(dir.resolve(Fixtures.snapshotName(20, 1)), older);
    Path newest = dir.resolve(Fixtures.snapshotName(190, 1));
    Files.write(newest, new byte[] {1, 2, 3});
    Recovered recovered = recover();
    assertThat(recovered.snapshot()).isNull();
    assertThat(recovered.damage().description()).contains("snapshot 190 is unusable")
        .contains("no older snapshot can stand in for it");
    assertThat(recovered.damage().acknowledgedBound()).isEqualTo(200);
  }

  @Test
  void snapshotWrittenButNeverReferencedIsDiscarded() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 10, 1)));
      storage.sync();
      storage.write(List.of(saveSnapshot(5, 1)));
      // Crash: copy the files now, before the sync that makes the snapshot's record durable.
      copyTree(dir, elsewhere.resolve("crash"));
    }
    Path crashed = elsewhere.resolve("crash");
    try (FileStorage storage = FileStorage.open(crashed)) {
      Recovered recovered = storage.recover();
      assertThat(recovered.snapshot()).isNull();
      assertThat(indexes(recovered)).hasSize(10);
    }
    assertThat(crashed.resolve(Fixtures.snapshotName(5, 1))).doesNotExist();
  }

  @Test
  void missingSegmentBetweenOthersRefusesToStart() throws IOException {
    store(new FileStorage.Options(2048), appends(100));
    Files.delete(segment(2));
    assertThatThrownBy(this::recover)
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("segment 2 is missing");
  }

  @Test
  void deletedOldestSegmentNotCoveredBySnapshotRefusesToStart() throws IOException {
    store(new FileStorage.Options(2048), appends(100));
    Files.delete(segment(1));
    assertThatThrownBy(this::recover)
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("log entries 1..")
        .hasMessageContaining("are missing");
  }

  @Test
  void gapBetweenRecordsWithValidChecksumsRefusesToStart() throws IOException {
    BinaryWriter out = new BinaryWriter();
    SegmentFormat.writeHeader(out, 1);
    List<LogRecord> records = List.of(new LogRecord.Checkpoint(null, 0, 0, 0),
        new LogRecord.Entries(false, List.of(Fixtures.entry(1, 1), Fixtures.entry(2, 1))),
        new LogRecord.Entries(false, List.of(Fixtures.entry(4, 1))));
    for (LogRecord record : records) {
      int start = SegmentFormat.beginRecord(out, record.type());
      record.encode(out);
      SegmentFormat.endRecord(out, start);
    }
    Files.write(segment(1), out.toByteArray());
    assertThatThrownBy(this::recover)
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("gap in the log: entries record starts at 4 but the log ends at 2");
  }

  @Test
  void snapshotFilesWithoutAnyLogRefuseToStart() throws IOException {
    store(FileStorage.Options.defaults(), List.of(append(1, 5, 1), saveSnapshot(5, 1)));
    Files.delete(segment(1));
    assertThatThrownBy(this::recover)
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("no log segment");
  }

  @Test
  void unfinishedSnapshotTemporaryIsDeleted() throws IOException {
    store(FileStorage.Options.defaults(), appends(3));
    Path temporary = dir.resolve(Fixtures.snapshotName(3, 1) + ".tmp");
    Files.write(temporary, new byte[100]);
    assertThat(indexes(recover())).hasSize(3);
    assertThat(temporary).doesNotExist();
  }

  @Test
  void emptiedOnlySegmentLeftAfterCompactionRefusesToStart() throws IOException {
    List<StorageWrite> writes = new java.util.ArrayList<>();
    for (long i = 1; i <= 200; i += 10) {
      writes.add(append(i, i + 9, 1));
    }
    writes.add(saveSnapshot(200, 1));
    writes.add(hardState(2, 1));
    store(new FileStorage.Options(2048), writes);
    List<Path> segments;
    try (var files = Files.list(dir)) {
      segments = files.filter(f -> f.getFileName().toString().startsWith("segment-")).toList();
    }
    assertThat(segments).hasSize(1);
    assertThat(segments.get(0)).isNotEqualTo(segment(1));
    Files.write(segments.get(0), new byte[0]);
    assertThatThrownBy(this::recover)
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("the only segment left after compaction holds no valid record");
  }

  @Test
  void snapshotSavedAgainAtTheSameIndexWithAnotherTermNeverOverwritesTheDurableOne()
      throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 10, 1), saveSnapshot(10, 1)));
      storage.sync();
      storage.write(List.of(saveSnapshot(10, 2)));
      copyTree(dir, elsewhere.resolve("crash"));
    }
    try (FileStorage storage = FileStorage.open(elsewhere.resolve("crash"))) {
      Recovered recovered = storage.recover();
      assertThat(recovered.snapshot().term()).isEqualTo(1);
      assertThat(recovered.entries()).isEmpty();
    }
    Recovered recovered = recover();
    assertThat(recovered.snapshot().term()).isEqualTo(2);
    assertThat(dir.resolve(Fixtures.snapshotName(10, 1))).doesNotExist();
  }

  @Test
  void segmentCutRightAfterItsHeaderIsATornTail() throws IOException {
    store(FileStorage.Options.defaults(), appends(3));
    try (var channel = java.nio.channels.FileChannel.open(segment(1), StandardOpenOption.WRITE)) {
      channel.truncate(SegmentFormat.HEADER_BYTES);
    }
    assertThat(recover()).isEqualTo(Recovered.EMPTY);
  }

  @Test
  void emptyFirstSegmentRecoversEmpty() throws IOException {
    store(FileStorage.Options.defaults(), appends(3));
    Files.write(segment(1), new byte[0]);
    assertThat(recover()).isEqualTo(Recovered.EMPTY);
  }

  static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path file : files.toList()) {
        if (!file.getFileName().toString().equals("lock")) {
          Files.copy(file, to.resolve(file.getFileName()));
        }
      }
    }
  }
}
