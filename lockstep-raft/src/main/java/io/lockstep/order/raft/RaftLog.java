package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * The Raft log: the entries after a snapshot base, whose index, term and agreed time are kept
 * after compaction (§5.1) so consistency checks and time stamping continue across it.
 *
 * <p>Every entry's term, time and size stay in memory ({@link EntryFacts}); its payload only
 * while it is among the newest entries within the cache budget ({@link #evict}). An evicted
 * entry is still in the log (matched, counted, compacted like any other); only a follower that
 * needs it waits for the runtime to read it back from stable storage. Payloads are dropped
 * oldest first, and only of entries applied and handed out for storage, so the executor's path
 * never waits for a read and a read always finds what it asks for on the disk.
 *
 * <p>Index arithmetic is O(1); only truncation and compaction move entries.
 */
final class RaftLog {
  /** Payloads, null below {@link #cachedFrom}: one slot per entry after the base. */
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private final EntryFacts facts = new EntryFacts();
  /** First index whose payload is held; every later entry's is too. */
  private long cachedFrom;
  /** {@link #sizeOf} summed over the entries whose payloads are held. */
  private long cachedBytes;
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
    this.cachedFrom = baseIndex + 1;
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
    while (i > baseIndex && (bytes += facts.size(position(i))) <= maxBytes) {
      i--;
    }
    return i + 1;
  }

  /** The entries' estimated size ({@link #sizeOf} summed over them, held in memory or not). */
  long bytes() {
    return bytes;
  }

  /** {@link #sizeOf} summed over the entries whose payloads are held in memory. */
  long cachedBytes() {
    return cachedBytes;
  }

  /** First index whose payload is held in memory (lastIndex + 1 when none is). */
  long cachedFrom() {
    return cachedFrom;
  }

  /** True if the entry at {@code index} is in the log and its payload in memory. */
  boolean cached(long index) {
    return index >= cachedFrom && index <= lastIndex();
  }

  /**
   * Drops payloads, oldest first, while those held exceed {@code budget} bytes, never of an
   * entry above {@code limit} (the caller passes what is applied and handed out for storage).
   * Returns how many were dropped.
   */
  int evict(long budget, long limit) {
    int evicted = 0;
    long last = Math.min(limit, lastIndex());
    while (cachedBytes > budget && cachedFrom <= last) {
      int at = position(cachedFrom);
      entries.set(at, null);
      cachedBytes -= facts.size(at);
      cachedFrom++;
      evicted++;
    }
    return evicted;
  }

  /**
   * True if {@code entry}, read back from stable storage, is the one this log holds at its
   * index: same term, agreed time and size. A read that returns anything else is damage or a
   * bug, and its entries must not be sent.
   */
  boolean holds(LogEntry entry) {
    long index = entry.index();
    return index > baseIndex && index <= lastIndex() && termAt(index) == entry.term()
        && timeAt(index) == entry.time() && facts.size(position(index)) == sizeOf(entry);
  }

  private int position(long index) {
    return (int) (index - baseIndex - 1);
  }
  /** Index of the snapshot the log starts after (0 if none). */
  long snapshotIndex() {
    return baseIndex;
  }

  long lastIndex() {
    return baseIndex + entries.size();
  }

  long lastTerm() {
    return facts.count() == 0 ? baseTerm : facts.term(facts.count() - 1);
  }

  /** Agreed time of the last entry (or of the snapshot): the floor for the next entry's time. */
  long lastTime() {
    return facts.count() == 0 ? baseTime : facts.time(facts.count() - 1);
  }

  /** Term at {@code index}, which must lie in [snapshotIndex, lastIndex]. */
  long termAt(long index) {
    return index == baseIndex ? baseTerm : facts.term(inLog(index));
  }

  /** Agreed time at {@code index}, which must lie in [snapshotIndex, lastIndex]. */
  long timeAt(long index) {
    return index == baseIndex ? baseTime : facts.time(inLog(index));
  }

  /** The entry at {@code index}, which must lie in [cachedFrom, lastIndex]. */
  LogEntry entry(long index) {
    int at = inLog(index);
    if (index < cachedFrom) {
      throw new IllegalStateException("entry " + index + " is in the log but only on disk: the"
          + " log holds payloads from " + cachedFrom + " to " + lastIndex());
    }
    return entries.get(at);
  }

  /** The position of {@code index}, which must lie in (snapshotIndex, lastIndex]. */
  private int inLog(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      throw new IllegalStateException("log holds (" + baseIndex + ", " + lastIndex()
          + "], asked for entry " + index);
    }
    return position(index);
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

  /**
   * Up to {@code max} entries from {@code from}, as an immutable list (possibly empty); their
   * payloads must be held ({@link #cached}).
   */
  List<LogEntry> slice(long from, int max) {
    if (from <= baseIndex) {
      throw new IllegalStateException("entries before " + (baseIndex + 1) + " are compacted, asked "
          + from);
    }
    if (from < cachedFrom) {
      throw new IllegalStateException("entries before " + cachedFrom + " are only on disk, asked "
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
    long size = sizeOf(entry);
    entries.add(entry);
    facts.add(entry.term(), entry.time(), size);
    bytes += size;
    cachedBytes += size;
  }

  /** Drops the entries in positions [from, to), a prefix or a suffix, and their bytes. */
  private void remove(int from, int to) {
    for (int at = from; at < to; at++) {
      long size = facts.size(at);
      bytes -= size;
      if (entries.get(at) != null) {
        cachedBytes -= size;
      }
    }
    entries.subList(from, to).clear();
    if (from == 0) {
      facts.removeFirst(to);
    } else {
      facts.truncate(from);
    }
  }

  /** Discards the entries from {@code index} on (a follower's conflicting suffix, §3.5). */
  void truncateFrom(long index) {
    if (index <= baseIndex || index > lastIndex()) {
      throw new IllegalStateException("cannot truncate from " + index + ", log holds ("
          + baseIndex + ", " + lastIndex() + "]");
    }
    remove((int) (index - baseIndex - 1), entries.size());
    cachedFrom = Math.min(cachedFrom, index);
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
    cachedFrom = Math.max(cachedFrom, index + 1);
    handedOut = Math.max(handedOut, index);
  }

  /** Discards every entry and restarts after a received snapshot (§5.3 step 7). */
  void resetTo(long index, long term, long time) {
    entries.clear();
    facts.clear();
    bytes = 0;
    cachedBytes = 0;
    cachedFrom = index + 1;
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
