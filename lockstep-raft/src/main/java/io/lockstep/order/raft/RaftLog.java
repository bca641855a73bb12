package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory Raft log: the entries after a snapshot base, whose index, term and agreed time
 * are kept after compaction (§5.1) so consistency checks and time stamping continue across it.
 *
 * <p>Index arithmetic is O(1); only truncation and compaction move entries.
 */
final class RaftLog {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private long baseIndex;
  private long baseTerm;
  private long baseTime;
  private long handedOut;
  private long persisted;
  /** {@link #sizeOf} summed over the entries held: what the byte budgets are checked against. */
  private long bytes;

  RaftLog(long baseIndex, long baseTerm, long baseTime) {
    this.baseIndex = baseIndex;
    this.baseTerm = baseTerm;
    this.baseTime = baseTime;
    this.handedOut = baseIndex;
    this.persisted = baseIndex;
  }

  /**
   * What an entry costs in memory, roughly: its request's command and client id plus a fixed
   * overhead for the objects around them. Budgets in bytes (X3 back-pressure) are counted in it.
   */
  static long sizeOf(LogEntry entry) {
    return entry.isNoOp() ? 64 : sizeOf(entry.request());
  }

  /** What an entry holding {@code request} costs, without building the entry. */
  static long sizeOf(Request request) {
    return 96 + request.command().length + 2L * request.client().value().length();
  }

  /**
   * The first index of the suffix ending at {@code position} that holds at most {@code maxBytes}
   * (at least {@code position + 1}, i.e. an empty suffix, and at most the first stored index).
   */
  long suffixStartWithin(long position, long maxBytes) {
    long bytes = 0;
    long i = position;
    while (i > baseIndex && (bytes += sizeOf(entry(i))) <= maxBytes) {
      i--;
    }
    return i + 1;
  }

  /** The entries' estimated size in memory ({@link #sizeOf} summed over them). */
  long bytes() {
    return bytes;
  }

  /** Index of the snapshot the log starts after (0 if none). */
  long snapshotIndex() {
    return baseIndex;
  }

  long lastIndex() {
    return baseIndex + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? baseTerm : entries.get(entries.size() - 1).term();
  }

  /** Agreed time of the last entry (or of the snapshot): the floor for the next entry's time. */
  long lastTime() {
    return entries.isEmpty() ? baseTime : entries.get(entries.size() - 1).time();
  }

  /** Term at {@code index}, which must lie in [snapshotIndex, lastIndex]. */
  long termAt(long index) {
    return index == baseIndex ? baseTerm : entry(index).term();
  }

  /** Agreed time at {@code index}, which must lie in [snapshotIndex, lastIndex]. */
  long timeAt(long index) {
    return index == baseIndex ? baseTime : entry(index).time();
  }

  /** The entry at {@code index}, which must lie in (snapshotIndex, lastIndex]. */
  LogEntry entry(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      throw new IllegalStateException("log holds (" + baseIndex + ", " + lastIndex()
          + "], asked for entry " + index);
    }
    return entries.get((int) (index - baseIndex - 1));
  }

  /** True if the log holds an entry (or the snapshot) at {@code index} with {@code term}. */
  boolean matches(long index, long term) {
    return index >= baseIndex && index <= lastIndex() && termAt(index) == term;
  }

  /** Election restriction (§3.6.1): is a log ending at (lastIndex, lastTerm) at least as new? */
  boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long myLastTerm = lastTerm();
    return otherLastTerm > myLastTerm
        || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
  }

  /** Up to {@code max} entries from {@code from}, as an immutable list (possibly empty). */
  List<LogEntry> slice(long from, int max) {
    if (from <= baseIndex) {
      throw new IllegalStateException("entries before " + (baseIndex + 1) + " are compacted, asked "
          + from);
    }
    long to = Math.min(lastIndex(), from + max - 1);
    if (to < from) {
      return List.of();
    }
    return List.copyOf(entries.subList((int) (from - baseIndex - 1), (int) (to - baseIndex)));
  }

  void append(LogEntry entry) {
    if (entry.index() != lastIndex() + 1) {
      throw new IllegalStateException("append of entry " + entry.index() + " after " + lastIndex());
    }
    if (entry.term() < lastTerm()) {
      throw new IllegalStateException("entry " + entry.index() + " has term " + entry.term()
          + " below the previous entry's term " + lastTerm());
    }
    entries.add(entry);
    bytes += sizeOf(entry);
  }

  /** Drops the entries in list positions [from, to) and their bytes. */
  private void remove(int from, int to) {
    List<LogEntry> gone = entries.subList(from, to);
    for (LogEntry entry : gone) {
      bytes -= sizeOf(entry);
    }
    gone.clear();
  }

  /** Discards the entries from {@code index} on (a follower's conflicting suffix, §3.5). */
  void truncateFrom(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      throw new IllegalStateException("cannot truncate from " + index + ", log holds ("
          + baseIndex + ", " + lastIndex() + "]");
    }
    remove((int) (index - baseIndex - 1), entries.size());
    handedOut = Math.min(handedOut, index - 1);
    persisted = Math.min(persisted, index - 1);
  }

  /** Drops the entries up to {@code index}, keeping its term and time as the new base (§5.1). */
  void compactTo(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      throw new IllegalStateException("cannot compact to " + index + ", log holds ("
          + baseIndex + ", " + lastIndex() + "]");
    }
    long term = termAt(index);
    long time = timeAt(index);
    remove(0, (int) (index - baseIndex));
    baseIndex = index;
    baseTerm = term;
    baseTime = time;
    handedOut = Math.max(handedOut, index);
  }

  /** Discards every entry and restarts after a received snapshot (§5.3 step 7). */
  void resetTo(long index, long term, long time) {
    entries.clear();
    bytes = 0;
    baseIndex = index;
    baseTerm = term;
    baseTime = time;
    handedOut = Math.min(handedOut, index);
    persisted = Math.min(persisted, index);
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}; stops at the
   * snapshot index, below which terms are unknown. Used for fast backtracking (etcd-io/raft's
   * findConflictByTerm): entries above it cannot match a log whose entry at {@code index} has
   * {@code term}.
   */
  long findConflictByTerm(long index, long term) {
    long i = Math.min(index, lastIndex());
    while (i > baseIndex && termAt(i) > term) {
      i--;
    }
    return i;
  }

  /** Records that every entry now in the log was handed to the runtime in a Ready's writes. */
  void markHandedOut() {
    handedOut = lastIndex();
  }

  /**
   * Last index whose Append has been handed out in a Ready: the runtime makes it durable before
   * it sends any later message, so the leader may count it toward its own matchIndex.
   */
  long handedOut() {
    return Math.min(handedOut, lastIndex());
  }

  /** Records that every entry now in the log is durable (it was read from stable storage). */
  void markPersisted() {
    persisted = lastIndex();
  }

  /**
   * The runtime reported the log durable through {@code index}, whose entry has {@code term}.
   * Ignored unless the log still holds that entry: a report about a suffix truncated since says
   * nothing about the entries that replaced it (truncation lowers the mark, so it never covers
   * entries written after the report's write).
   */
  void markPersisted(long index, long term) {
    if (index > persisted && matches(index, term)) {
      persisted = index;
    }
  }

  /** Last index reported durable by {@link #markPersisted(long, long)} and still in the log. */
  long persisted() {
    return Math.min(persisted, lastIndex());
  }
}
