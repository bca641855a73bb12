package io.lockstep.sim;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One replica's simulated stable storage (X1): a durable part (hard state, snapshot, log
 * entries after the snapshot) and a queue of fsyncs in progress.
 *
 * <p>The runtime contract of {@link StorageWrite} is modelled literally: a Ready's writes become
 * durable only when their fsync completes, fsyncs complete in submission order, and
 * a crash loses every write whose fsync had not completed (optionally keeping a torn prefix of
 * the one in progress). The model is deliberately simple so that it is obviously right.
 *
 * <p>Lost writes (a fault that lost committed data in real systems): an armed disk loses the next
 * fsync that has writes — it reports it done but the data never reached the platter. The real
 * storage detects such a loss only when something was synced after it (a checksum or sequence gap
 * in the middle of the log, found at the next restart); a lost write at the very end of the log
 * looks like a log that simply ended there, which Raft cannot tolerate on a replica whose
 * acknowledgement counted. So the model keeps only detectable losses: at a crash, a loss with a
 * later completed sync is reported ({@link #takeLostWriteDetected()}) and the replica repairs the
 * damaged range from its peers ({@link #damage}); a loss at the tail is treated as never having
 * happened.
 */
final class SimDisk {
  /** One fsync: the writes of one Ready. */
  static final class Sync {
    private final List<StorageWrite> writes;
    private final long completesAt;

    private Sync(List<StorageWrite> writes, long completesAt) {
      this.writes = writes;
      this.completesAt = completesAt;
    }

    long completesAt() {
      return completesAt;
    }
  }

  private final DiskModel model;
  private final SplittableRandom random;
  private final Deque<Sync> inProgress = new ArrayDeque<>();
  private final List<LogEntry> entries = new ArrayList<>();
  private StorageWrite.HardState hardState;
  /** The hard state before {@link #hardState}: what is left when the newest one is damaged. */
  private StorageWrite.HardState previousHardState;
  private Snapshot snapshot;
  private boolean loseNextWrite;
  private boolean lostWrite;
  private boolean lostWriteCovered;
  private boolean lostWriteDetected;
  /** Damage reported at every restart until a hard state written after it is durable. */
  private Recovered.Damage pendingDamage;

  SimDisk(DiskModel model, SplittableRandom random) {
    this.model = model;
    this.random = random;
  }

  /**
   * Starts the fsync of {@code writes} at {@code now} (nanoseconds). It completes after the
   * previous one and after a random latency; a Ready without writes takes no latency but still
   * waits for earlier fsyncs, since its messages may depend on them.
   */
  Sync submit(List<StorageWrite> writes, long now) {
    long previous = inProgress.isEmpty() ? now : inProgress.peekLast().completesAt;
    long latency = writes.isEmpty() ? 0 : latencyNanos();
    Sync sync = new Sync(List.copyOf(writes), Math.max(now, previous) + latency);
    inProgress.addLast(sync);
    return sync;
  }

  private long latencyNanos() {
    long micros = model.fsyncMinMicros()
        + Network.exponential(random, model.fsyncMeanTailMicros());
    return micros * 1_000;
  }

  /** True when nothing is waiting to become durable. */
  boolean idle() {
    return inProgress.isEmpty();
  }

  /**
   * Completes {@code sync}, making its writes durable. Returns false (and changes nothing) when
   * it is not the oldest fsync in progress, which happens only after a crash discarded it.
   */
  boolean complete(Sync sync) {
    if (inProgress.peekFirst() != sync) {
      return false;
    }
    inProgress.removeFirst();
    sync.writes.forEach(this::apply);
    if (!sync.writes.isEmpty()) {
      lostWriteCovered |= lostWrite;
      lostWrite |= loseNextWrite;
      loseNextWrite = false;
    }
    return true;
  }

  /** Arms the loss of the next fsync that has writes (see the class comment). */
  void armLostWrite() {
    loseNextWrite = true;
  }

  /**
   * True once if a crash found a lost write that recovery detects (the replica then repairs);
   * reading it clears it.
   */
  boolean takeLostWriteDetected() {
    boolean detected = lostWriteDetected;
    lostWriteDetected = false;
    return detected;
  }

  /**
   * Crash: every write whose fsync had not completed is lost, except that with torn writes a
   * random prefix of the fsync in progress survives. Returns a description for the trace.
   */
  String crash() {
    Sync torn = inProgress.peekFirst();
    int lost = inProgress.size();
    inProgress.clear();
    String note = settleLostWrite();
    if (torn == null || !model.tornWrites()) {
      return "lost " + lost + " syncs" + note;
    }
    int kept = tearPrefix(torn.writes);
    return "lost " + lost + " syncs, kept " + kept + " writes of the torn one" + note;
  }

  /** At a crash: a lost write is either detected at restart or, at the tail, never happened. */
  private String settleLostWrite() {
    String note = "";
    if (lostWrite) {
      lostWriteDetected |= lostWriteCovered;
      note = lostWriteCovered ? ", a lost write in the middle of the log (detected)"
          : ", a lost write at the tail (undetectable, so not injected)";
    }
    loseNextWrite = false;
    lostWrite = false;
    lostWriteCovered = false;
    return note;
  }

  private int tearPrefix(List<StorageWrite> writes) {
    int whole = random.nextInt(writes.size() + 1);
    for (int i = 0; i < whole; i++) {
      apply(writes.get(i));
    }
    if (whole < writes.size() && writes.get(whole) instanceof StorageWrite.Append append) {
      int keep = random.nextInt(append.entries().size());
      if (keep > 0) {
        apply(new StorageWrite.Append(append.entries().subList(0, keep)));
      }
    }
    return whole;
  }

  /** What a restart reads back. */
  Recovered recovered() {
    return new Recovered(hardState, snapshot, entries, pendingDamage);
  }

  /** True while damage waits for the protocol to persist a hard state after it. */
  boolean damagePending() {
    return pendingDamage != null;
  }

  /**
   * Damage at rest found by the next restart, as the real storage reports it: a bit flip in a
   * log record loses that record and everything after it (the valid prefix is kept, what follows
   * only bounds what was acknowledged); a bit flip in the snapshot loses the snapshot and the
   * log after it. Returns a description for the trace.
   */
  String damage(boolean snapshotFile) {
    long last = lastIndex();
    long maxTerm = entries.stream().mapToLong(LogEntry::term).max().orElse(0);
    long from;
    if (snapshotFile && snapshot != null) {
      from = 1;
      snapshot = null;
      entries.clear();
    } else if (!entries.isEmpty()) {
      long first = entries.get(0).index();
      from = first + random.nextLong(last - first + 1);
      entries.subList((int) (from - first), entries.size()).clear();
    } else {
      return "nothing to damage";
    }
    Recovered.Damage damage = new Recovered.Damage(from, last, maxTerm,
        (snapshotFile ? "snapshot" : "log") + " damaged from " + from);
    pendingDamage = damage.merge(pendingDamage);
    return damage.description() + ", acknowledged up to " + last;
  }

  /**
   * Damage at rest to the newest hard state, in the worst case the real storage can report: that
   * hard state is lost, the one before it is what recovery reads, and the damage is reported
   * (the real storage keeps a copy of the newest hard state besides the log's record, so this
   * needs both hit; with one hit it loses nothing, and with its copy hit it still reports the
   * damage). The log is intact. Returns a description for the trace.
   */
  String damageHardState() {
    if (hardState == null) {
      return "nothing to damage";
    }
    long last = lastIndex();
    long maxTerm = Math.max(snapshot == null ? 0 : snapshot.term(),
        entries.stream().mapToLong(LogEntry::term).max().orElse(0));
    hardState = previousHardState;
    previousHardState = null;
    Recovered.Damage damage = new Recovered.Damage(last + 1, last, maxTerm,
        "newest hard state damaged");
    pendingDamage = damage.merge(pendingDamage);
    return damage.description() + ", an older one readable";
  }

  /**
   * The whole data directory deleted, with no {@code rejoin-empty} file left in it: the next
   * restart reads nothing at all, exactly as at a first start. Returns a description.
   */
  String wipe() {
    String was = "wiped " + entries.size() + " entries" + (snapshot == null ? ""
        : " and the snapshot at " + snapshot.index());
    entries.clear();
    snapshot = null;
    hardState = null;
    previousHardState = null;
    pendingDamage = null;
    settleLostWrite();
    lostWriteDetected = false;
    return was;
  }

  /**
   * The stored entries from {@code from} on, at most to {@code to}, within about
   * {@code maxBytes} (at least one), as a read of the real log's files sees them: what is
   * durable plus the writes of fsyncs still in progress, in order. Empty if {@code from} is
   * not stored. A pending snapshot's compaction is ignored: it only removes entries.
   */
  List<LogEntry> read(long from, long to, long maxBytes) {
    List<LogEntry> view = new ArrayList<>(entries);
    for (Sync sync : inProgress) {
      for (StorageWrite write : sync.writes) {
        if (write instanceof StorageWrite.Append append) {
          long first = append.entries().get(0).index();
          view.removeIf(e -> e.index() >= first);
          view.addAll(append.entries());
        }
      }
    }
    List<LogEntry> found = new ArrayList<>();
    long bytes = 0;
    for (LogEntry entry : view) {
      if (entry.index() == from + found.size() && entry.index() <= to && bytes < maxBytes) {
        found.add(entry);
        bytes += 64 + (entry.isNoOp() ? 0 : entry.request().command().length);
      }
    }
    return found;
  }

  /** Whether the next read of entries fails by itself ({@link DiskModel#readErrorPercent}). */
  boolean readFails() {
    return model.readErrorPercent() > 0 && random.nextInt(100) < model.readErrorPercent();
  }

  /** Applies one write to the durable state. */
  void apply(StorageWrite write) {
    if (write instanceof StorageWrite.HardState state) {
      previousHardState = hardState;
      hardState = state;
      pendingDamage = null; // the protocol's hard state now remembers the repair
    } else if (write instanceof StorageWrite.Append append) {
      append(append.entries());
    } else if (write instanceof StorageWrite.SaveSnapshot save) {
      saveSnapshot(save.snapshot());
    }
  }

  private long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.index();
  }

  private long lastIndex() {
    return entries.isEmpty() ? snapshotIndex() : entries.get(entries.size() - 1).index();
  }

  /** Append: a first index at or below the last one discards the stored suffix from there. */
  private void append(List<LogEntry> batch) {
    long first = batch.get(0).index();
    for (int i = 1; i < batch.size(); i++) {
      if (batch.get(i).index() != first + i) {
        throw new IllegalStateException("append of non-consecutive indexes " + indexes(batch));
      }
    }
    if (first > lastIndex() + 1) {
      throw new IllegalStateException(
          "append at " + first + " would leave a gap after last index " + lastIndex());
    }
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

  /**
   * Stores a snapshot and discards the entries it covers; a stored entry at its index with a
   * different term means the rest of the log does not follow it, so the rest goes too (Raft §7).
   */
  private void saveSnapshot(Snapshot next) {
    long base = snapshotIndex();
    if (next.index() < base) {
      throw new IllegalStateException(
          "snapshot at " + next.index() + " is older than the stored one at " + base);
    }
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

  private static String indexes(List<LogEntry> batch) {
    return batch.stream().map(e -> Long.toString(e.index())).toList().toString();
  }
}
