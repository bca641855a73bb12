package io.lockstep.order.raft;

import java.util.Arrays;

/**
 * The term, agreed time and size of every entry in the {@link RaftLog}, whether or not its
 * payload is still held in memory: what the consistency check of AppendEntries (§3.5), fast
 * backtracking, time stamping and the byte budgets need, at 20 bytes an entry instead of the
 * entry's request.
 *
 * <p>Positions are 0-based from the log's first entry after its base; removal at either end
 * mirrors the log's compaction (front) and truncation (back).
 */
final class EntryFacts {
  private long[] terms = new long[16];
  private long[] times = new long[16];
  private int[] sizes = new int[16];
  private int count;

  int count() {
    return count;
  }

  void add(long term, long time, long size) {
    if (size > Integer.MAX_VALUE) {
      throw new IllegalStateException("an entry of " + size + " bytes cannot be in the log");
    }
    if (count == terms.length) {
      int grown = count * 2;
      terms = Arrays.copyOf(terms, grown);
      times = Arrays.copyOf(times, grown);
      sizes = Arrays.copyOf(sizes, grown);
    }
    terms[count] = term;
    times[count] = time;
    sizes[count] = (int) size;
    count++;
  }

  long term(int position) {
    return terms[check(position)];
  }

  long time(int position) {
    return times[check(position)];
  }

  long size(int position) {
    return sizes[check(position)];
  }

  /** Drops the first {@code n} positions (compaction). */
  void removeFirst(int n) {
    System.arraycopy(terms, n, terms, 0, count - n);
    System.arraycopy(times, n, times, 0, count - n);
    System.arraycopy(sizes, n, sizes, 0, count - n);
    count -= n;
    shrinkIfSparse();
  }

  /** Keeps only the first {@code n} positions (truncation). */
  void truncate(int n) {
    count = n;
    shrinkIfSparse();
  }

  void clear() {
    count = 0;
    shrinkIfSparse();
  }

  /** A log that was long and is short again (after a snapshot) gives its arrays back. */
  private void shrinkIfSparse() {
    if (terms.length > 64 && count < terms.length / 4) {
      int size = Math.max(16, count * 2);
      terms = Arrays.copyOf(terms, size);
      times = Arrays.copyOf(times, size);
      sizes = Arrays.copyOf(sizes, size);
    }
  }

  private int check(int position) {
    if (position < 0 || position >= count) {
      throw new IllegalStateException("entry position " + position + " outside [0, " + count
          + ")");
    }
    return position;
  }
}
