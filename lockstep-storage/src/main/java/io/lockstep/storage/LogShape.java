package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the writer knows of the stored log without holding its entries: hard state, snapshot
 * base, last index and the terms of the stored entries (as runs, since terms change rarely).
 * Enough to turn each {@link StorageWrite} into {@link LogRecord}s with the same meaning the
 * simulator's disk gives them, and to validate the write first.
 */
final class LogShape {
  /** Appends are split into records of about this many bytes. */
  static final int TARGET_RECORD_BYTES = 4 << 20;

  private StorageWrite.HardState hardState;
  private long snapshotIndex;
  private long snapshotTerm;
  private long lastIndex;
  /** First index of each run of equal terms in {@code (snapshotIndex, lastIndex]} → term. */
  private final NavigableMap<Long, Long> termRuns = new TreeMap<>();

  /** The shape of what recovery returned. */
  static LogShape of(Recovered recovered) {
    LogShape shape = new LogShape();
    shape.hardState = recovered.hardState();
    Snapshot snapshot = recovered.snapshot();
    if (snapshot != null) {
      shape.snapshotIndex = snapshot.index();
      shape.snapshotTerm = snapshot.term();
      shape.lastIndex = snapshot.index();
    }
    if (!recovered.entries().isEmpty()) {
      shape.apply(new LogRecord.Entries(false, recovered.entries()));
    }
    return shape;
  }

  LogShape copy() {
    LogShape copy = new LogShape();
    copy.hardState = hardState;
    copy.snapshotIndex = snapshotIndex;
    copy.snapshotTerm = snapshotTerm;
    copy.lastIndex = lastIndex;
    copy.termRuns.putAll(termRuns);
    return copy;
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  long snapshotTerm() {
    return snapshotTerm;
  }

  long lastIndex() {
    return lastIndex;
  }

  /** The state a new segment starts from. */
  LogRecord.Checkpoint checkpoint() {
    return new LogRecord.Checkpoint(hardState, snapshotIndex, snapshotTerm, lastIndex);
  }

  /** Term of the stored entry (or snapshot base) at {@code index}, or -1 if none is stored. */
  long termAt(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    if (index < snapshotIndex || index > lastIndex) {
      return -1;
    }
    return termRuns.floorEntry(index).getValue();
  }

  /**
   * The records that carry out {@code write}, or an IllegalArgumentException if it is not a valid
   * next write (a gap, non-consecutive entries, a snapshot older than the stored one).
   */
  List<LogRecord> plan(StorageWrite write) {
    if (write instanceof StorageWrite.HardState state) {
      return List.of(new LogRecord.HardState(state));
    } else if (write instanceof StorageWrite.Append append) {
      return planAppend(append.entries());
    } else if (write instanceof StorageWrite.SaveSnapshot save) {
      return List.of(planSnapshot(save.snapshot()));
    }
    throw new IllegalArgumentException("unknown storage write " + write);
  }

  private List<LogRecord> planAppend(List<LogEntry> batch) {
    long first = batch.get(0).index();
    for (int i = 1; i < batch.size(); i++) {
      if (batch.get(i).index() != first + i) {
        throw new IllegalArgumentException("append of non-consecutive indexes: "
            + batch.get(i - 1).index() + " then " + batch.get(i).index());
      }
    }
    if (first > lastIndex + 1) {
      throw new IllegalArgumentException(
          "append at " + first + " would leave a gap after last index " + lastIndex);
    }
    if (first <= snapshotIndex) {
      // Entries the snapshot already covers are not stored again (as in the simulated disk).
      batch = batch.subList((int) Math.min(batch.size(), snapshotIndex + 1 - first), batch.size());
      if (batch.isEmpty()) {
        return List.of();
      }
      first = snapshotIndex + 1;
    }
    return split(first <= lastIndex, batch);
  }

  private static List<LogRecord> split(boolean truncates, List<LogEntry> batch) {
    List<LogRecord> records = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < batch.size(); i++) {
      LogEntry entry = batch.get(i);
      long size = encodedSizeBound(entry);
      if (i > from && bytes + size > TARGET_RECORD_BYTES) {
        records.add(new LogRecord.Entries(truncates && from == 0, batch.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    records.add(new LogRecord.Entries(truncates && from == 0, batch.subList(from, batch.size())));
    return records;
  }

  /** At least the encoded size of {@code entry} (UTF-8 takes at most 3 bytes per char). */
  static long encodedSizeBound(LogEntry entry) {
    Request request = entry.request();
    if (request == null) {
      return LogRecord.MIN_ENTRY_BYTES;
    }
    long clients = 3L * request.client().value().length()
        + (request.copyFrom() == null ? 0 : 3L * request.copyFrom().value().length());
    return LogRecord.MIN_ENTRY_BYTES + 20 + clients + request.command().length;
  }

  /** Raft §7: a snapshot whose last entry is in the log keeps the entries after it. */
  private LogRecord.SnapshotMark planSnapshot(Snapshot next) {
    if (next.index() < snapshotIndex) {
      throw new IllegalArgumentException(
          "snapshot at " + next.index() + " is older than the stored one at " + snapshotIndex);
    }
    boolean keepsLog = next.index() == snapshotIndex || termAt(next.index()) == next.term();
    return new LogRecord.SnapshotMark(next.index(), next.term(), keepsLog);
  }

  /** Updates the shape as {@code record} updates the stored log. */
  void apply(LogRecord record) {
    if (record instanceof LogRecord.HardState state) {
      hardState = state.state();
    } else if (record instanceof LogRecord.Entries entries) {
      applyEntries(entries);
    } else if (record instanceof LogRecord.SnapshotMark mark) {
      applySnapshot(mark);
    }
  }

  private void applyEntries(LogRecord.Entries record) {
    if (record.truncates()) {
      termRuns.tailMap(record.first(), true).clear();
    }
    for (LogEntry entry : record.entries()) {
      Map.Entry<Long, Long> run = termRuns.lastEntry();
      if (run == null || run.getValue() != entry.term()) {
        termRuns.put(entry.index(), entry.term());
      }
    }
    lastIndex = record.last();
  }

  private void applySnapshot(LogRecord.SnapshotMark mark) {
    if (!mark.keepsLog() || mark.index() >= lastIndex) {
      termRuns.clear();
      lastIndex = Math.max(mark.keepsLog() ? lastIndex : 0, mark.index());
    } else {
      Long runOfNext = termRuns.floorKey(mark.index() + 1);
      if (runOfNext != null) {
        termRuns.headMap(runOfNext, false).clear();
      }
    }
    snapshotIndex = mark.index();
    snapshotTerm = mark.term();
  }
}
