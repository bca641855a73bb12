package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random but valid sequences of storage writes, shaped like a Raft replica's: appends that
 * mostly extend the log and sometimes overwrite a suffix, term and vote changes, snapshots
 * that follow the log or replace it (as a leader-installed one does).
 */
final class Histories {
  private final SplittableRandom random;
  private ReferenceLog model = new ReferenceLog();
  private long term = 1;

  Histories(long seed) {
    random = new SplittableRandom(seed);
  }

  /** The model after every write returned so far. */
  ReferenceLog model() {
    return model;
  }

  /** Continues from {@code recovered}, e.g. after a crash lost the unsynced writes. */
  void reset(ReferenceLog recovered) {
    model = recovered.copy();
  }

  /** The next write, already applied to {@link #model()}. */
  StorageWrite next() {
    int roll = random.nextInt(100);
    StorageWrite write;
    if (roll < 12) {
      term += random.nextInt(2);
      write = Fixtures.hardState(term, random.nextInt(-1, 3));
    } else if (roll < 22) {
      write = snapshot();
    } else {
      write = append();
    }
    model.apply(write);
    return write;
  }

  private StorageWrite append() {
    long last = model.lastIndex();
    long first = random.nextInt(5) == 0 ? Math.max(1, last - random.nextInt(4)) : last + 1;
    if (random.nextInt(6) == 0) {
      term++;
    }
    int count = 1 + random.nextInt(random.nextInt(8) == 0 ? 30 : 4);
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(random.nextInt(10) == 0 ? Fixtures.noOp(first + i, term)
          : Fixtures.entry(first + i, term));
    }
    return new StorageWrite.Append(entries);
  }

  private StorageWrite snapshot() {
    long base = model.snapshotIndex();
    long last = model.lastIndex();
    if (last == 0 || random.nextInt(8) == 0) {
      long index = Math.max(1, last + random.nextInt(1, 4));
      return new StorageWrite.SaveSnapshot(Fixtures.snapshot(index, term));
    }
    long index = Math.max(1, base + random.nextLong(Math.max(1, last - base + 1)));
    long snapshotTerm = model.termAt(index) >= 0 && random.nextInt(6) != 0
        ? model.termAt(index) : term + 1;
    Snapshot snapshot = Fixtures.snapshot(index, snapshotTerm);
    return new StorageWrite.SaveSnapshot(snapshot);
  }
}
