package io.lockstep.order.pbft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's stable storage for scripted tests, with the runtime's semantics: the latest hard
 * state; appends that discard a stored suffix from their first index; a snapshot that discards
 * the entries it covers and keeps those after it if the entry at its index has its term.
 */
final class TestDisk {
  private StorageWrite.HardState hardState;
  private Snapshot snapshot;
  private final List<LogEntry> entries = new ArrayList<>();

  void apply(List<StorageWrite> writes) {
    for (StorageWrite write : writes) {
      if (write instanceof StorageWrite.HardState h) {
        hardState = h;
      } else if (write instanceof StorageWrite.Append a) {
        append(a.entries());
      } else if (write instanceof StorageWrite.SaveSnapshot s) {
        save(s.snapshot());
      }
    }
  }

  private long base() {
    return snapshot == null ? 0 : snapshot.index();
  }

  private long last() {
    return entries.isEmpty() ? base() : entries.get(entries.size() - 1).index();
  }

  private void append(List<LogEntry> batch) {
    long first = batch.get(0).index();
    if (first > last() + 1 || first <= base()) {
      throw new IllegalStateException("append at " + first + " after " + last());
    }
    entries.subList((int) (first - base() - 1), entries.size()).clear();
    entries.addAll(batch);
  }

  private void save(Snapshot next) {
    if (next.index() < base()) {
      throw new IllegalStateException("snapshot at " + next.index() + " before " + base());
    }
    long keep = next.index() - base();
    boolean follows = next.index() <= last() && next.index() > base()
        && entries.get((int) keep - 1).term() == next.term();
    if (follows) {
      entries.subList(0, (int) keep).clear();
    } else if (next.index() > base()) {
      entries.clear();
    }
    snapshot = next;
  }

  Recovered recovered() {
    return new Recovered(hardState, snapshot, entries);
  }

  /** A disk holding what {@code recovered} holds. */
  static TestDisk of(Recovered recovered) {
    TestDisk disk = new TestDisk();
    disk.hardState = recovered.hardState();
    disk.snapshot = recovered.snapshot();
    disk.entries.addAll(recovered.entries());
    return disk;
  }

  int entryCount() {
    return entries.size();
  }
}
