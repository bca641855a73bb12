package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * The meaning of {@link StorageWrite}s, as the simulator's disk (lockstep-sim SimDisk) gives
 * them, kept obviously right: the oracle that FileStorage must agree with.
 */
final class ReferenceLog {
  private final List<LogEntry> entries = new ArrayList<>();
  private StorageWrite.HardState hardState;
  private Snapshot snapshot;

  ReferenceLog copy() {
    ReferenceLog copy = new ReferenceLog();
    copy.entries.addAll(entries);
    copy.hardState = hardState;
    copy.snapshot = snapshot;
    return copy;
  }

  Recovered recovered() {
    return new Recovered(hardState, snapshot, entries);
  }

  long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.index();
  }

  long lastIndex() {
    return entries.isEmpty() ? snapshotIndex() : entries.get(entries.size() - 1).index();
  }

  /** Term at {@code index}, or -1 if not stored. */
  long termAt(long index) {
    if (snapshot != null && index == snapshot.index()) {
      return snapshot.term();
    }
    if (index <= snapshotIndex() || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - snapshotIndex() - 1)).term();
  }

  void apply(StorageWrite write) {
    if (write instanceof StorageWrite.HardState state) {
      hardState = state;
    } else if (write instanceof StorageWrite.Append append) {
      append(append.entries());
    } else if (write instanceof StorageWrite.SaveSnapshot save) {
      saveSnapshot(save.snapshot());
    }
  }

  private void append(List<LogEntry> batch) {
    long first = batch.get(0).index();
    long base = snapshotIndex();
    if (first <= base) {
      batch = batch.subList((int) Math.min(batch.size(), base + 1 - first), batch.size());
      if (batch.isEmpty()) {
        return;
      }
      first = base + 1;
    }
    entries.subList((int) (first - base - 1), entries.size()).clear();
    entries.addAll(batch);
  }

  private void saveSnapshot(Snapshot next) {
    long base = snapshotIndex();
    long keepFrom = next.index() - base;
    boolean follows = next.index() <= lastIndex() && next.index() > base
        && entries.get((int) (keepFrom - 1)).term() == next.term();
    if (follows) {
      entries.subList(0, (int) keepFrom).clear();
    } else if (next.index() > base) {
      entries.clear();
    }
    snapshot = next;
  }
}
