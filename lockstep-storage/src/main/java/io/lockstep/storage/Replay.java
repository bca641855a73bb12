package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.StorageWrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Rebuilds the stored log by folding its records in order (X1 recovery), checking on the way
 * that they fit together: no gap, no overlap without a truncation marker, snapshots that never
 * go backwards, segment checkpoints that agree with the segments before them.
 *
 * <p>When compaction deleted the oldest segments, replay starts from the first remaining
 * segment's checkpoint, and the entries that checkpoint says were stored earlier are known
 * only by position ({@code missingThrough}). A later snapshot mark must cover them; if one is
 * still missing at the end, a segment was lost.
 *
 * <p>{@code skippedSnapshots} names snapshots whose files are unusable: their marks are replayed
 * as if the snapshot had never been taken, which is exact when the mark kept the log after it
 * and the log still holds the entries the older snapshot does not cover.
 */
final class Replay {
  private final Set<Long> skippedSnapshots;
  private StorageWrite.HardState hardState;
  private long snapshotIndex;
  private long snapshotTerm;
  /** Entries in (snapshotIndex, missingThrough] were stored in deleted segments. */
  private long missingThrough;
  private final List<LogEntry> entries = new ArrayList<>();
  private boolean started;
  private Path file;
  private long offset;

  Replay(Set<Long> skippedSnapshots) {
    this.skippedSnapshots = Set.copyOf(skippedSnapshots);
  }

  StorageWrite.HardState hardState() {
    return hardState;
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  long snapshotTerm() {
    return snapshotTerm;
  }

  List<LogEntry> entries() {
    return entries;
  }

  long lastIndex() {
    if (!entries.isEmpty()) {
      return entries.get(entries.size() - 1).index();
    }
    return Math.max(snapshotIndex, missingThrough);
  }

  /** Applies the record found at {@code offset} of {@code file}. */
  void apply(LogRecord record, Path file, long offset) throws CorruptStorageException {
    this.file = file;
    this.offset = offset;
    if (record instanceof LogRecord.Checkpoint checkpoint) {
      applyCheckpoint(checkpoint);
    } else if (record instanceof LogRecord.HardState state) {
      hardState = state.state();
    } else if (record instanceof LogRecord.Entries batch) {
      applyEntries(batch);
    } else if (record instanceof LogRecord.SnapshotMark mark) {
      applySnapshot(mark);
    }
  }

  /** Checks that no entry is still missing once every record was replayed. */
  void finish(Path directory) throws CorruptStorageException {
    if (missingThrough > snapshotIndex) {
      throw new CorruptStorageException(directory, "log entries " + (snapshotIndex + 1) + ".."
          + missingThrough + " are missing: the segment files that held them were deleted or"
          + " lost, and no snapshot covers them");
    }
  }

  private CorruptStorageException corrupt(String problem) {
    return new CorruptStorageException(file, offset, problem);
  }

  private void applyCheckpoint(LogRecord.Checkpoint checkpoint) throws CorruptStorageException {
    if (!started) {
      if (checkpoint.snapshotIndex() > 0 && skippedSnapshots.contains(checkpoint.snapshotIndex())) {
        throw corrupt("the oldest remaining segment starts from snapshot "
            + checkpoint.snapshotIndex() + "; the entries it covers were compacted away");
      }
      started = true;
      hardState = checkpoint.hardState();
      snapshotIndex = checkpoint.snapshotIndex();
      snapshotTerm = checkpoint.snapshotTerm();
      missingThrough = checkpoint.lastIndex();
      return;
    }
    boolean sameSnapshot = snapshotIndex == checkpoint.snapshotIndex()
        || skippedSnapshots.contains(checkpoint.snapshotIndex());
    if (lastIndex() != checkpoint.lastIndex() || !sameSnapshot
        || !Objects.equals(hardState, checkpoint.hardState())) {
      throw corrupt("segment checkpoint " + checkpoint + " disagrees with the earlier segments,"
          + " which end with last index " + lastIndex() + ", snapshot " + snapshotIndex
          + " and hard state " + hardState);
    }
  }

  private void applyEntries(LogRecord.Entries batch) throws CorruptStorageException {
    long first = batch.first();
    long last = lastIndex();
    if (batch.truncates()) {
      if (first <= snapshotIndex || first > last) {
        throw corrupt("entries record truncates from " + first + " but the log holds ("
            + snapshotIndex + ", " + last + "]");
      }
      dropFrom(first);
    } else if (first > last + 1) {
      throw corrupt("gap in the log: entries record starts at " + first
          + " but the log ends at " + last);
    } else if (first <= last) {
      throw corrupt("entries record starts at " + first + ", overlapping the log that ends at "
          + last + ", without a truncation marker");
    }
    entries.addAll(batch.entries());
  }

  private void dropFrom(long index) {
    if (index <= missingThrough) {
      missingThrough = index - 1;
      entries.clear();
    } else if (!entries.isEmpty()) {
      int from = (int) (index - entries.get(0).index());
      entries.subList(from, entries.size()).clear();
    }
  }

  private void applySnapshot(LogRecord.SnapshotMark mark) throws CorruptStorageException {
    if (skippedSnapshots.contains(mark.index())) {
      if (!mark.keepsLog()) {
        throw corrupt("snapshot " + mark.index() + " replaced the log when it was taken, so the"
            + " log cannot stand in for its unusable file");
      }
      return;
    }
    if (mark.index() < snapshotIndex) {
      throw corrupt("snapshot mark at " + mark.index() + " is older than the snapshot at "
          + snapshotIndex + " before it");
    }
    if (mark.keepsLog()) {
      keepAfter(mark);
    } else {
      entries.clear();
      missingThrough = 0;
    }
    snapshotIndex = mark.index();
    snapshotTerm = mark.term();
  }

  private void keepAfter(LogRecord.SnapshotMark mark) throws CorruptStorageException {
    long last = lastIndex();
    if (mark.index() != snapshotIndex && mark.index() > last) {
      throw corrupt("snapshot mark at " + mark.index() + " keeps the log after it, but the log"
          + " ends at " + last);
    }
    if (entries.isEmpty() || mark.index() < entries.get(0).index()) {
      return;
    }
    int through = (int) (mark.index() - entries.get(0).index());
    LogEntry at = entries.get(through);
    if (at.term() != mark.term()) {
      throw corrupt("snapshot mark at " + mark.index() + " has term " + mark.term()
          + " but the entry there has term " + at.term());
    }
    entries.subList(0, through + 1).clear();
  }
}
