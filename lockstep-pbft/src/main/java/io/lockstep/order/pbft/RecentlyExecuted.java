package io.lockstep.order.pbft;

/**
 * The requests a replica executed lately, at least {@code remembered} of them and at most twice
 * that: two generations, the older cleared and reused as the newer when the newer fills.
 *
 * <p>Why generations: an insertion-ordered map that evicted its eldest entry on every insertion
 * did the same with an exact bound, but each eviction read an entry executed a window ago (about
 * 65,000 requests earlier with the default settings), long out of the processor's caches: that
 * was a tenth of a backup's loop time under write load.
 *
 * <p>Why not sets of keys: each remembered request then cost a key, a hash-map node and the
 * request's own client id with its string, about 130 bytes in five objects that lived 6 to 13
 * seconds under load. That is just long enough to survive the young collections in between, so
 * the collector copied them from survivor space to survivor space and then promoted them to die
 * in the old generation: about 14 MB of survivors per young collection of a PBFT replica, pauses
 * of 45–100 ms, and 1.8 MB a second promoted towards a full collection. A
 * {@link ExecutedGeneration} keeps the same facts in a few long-lived arrays.
 */
final class RecentlyExecuted {
  private final int generation;
  private ExecutedGeneration newer;
  private ExecutedGeneration older;

  RecentlyExecuted(int remembered) {
    this(remembered, ExecutedGeneration.PROBE_LIMIT);
  }

  /** {@code probeLimit}: see {@link ExecutedGeneration}; tests lower it to reach the overflow. */
  RecentlyExecuted(int remembered, int probeLimit) {
    if (remembered < 1) {
      throw new IllegalArgumentException("remembered must be positive, not " + remembered);
    }
    this.generation = remembered;
    this.newer = new ExecutedGeneration(probeLimit);
    this.older = new ExecutedGeneration(probeLimit);
  }

  void add(Pending.Key key) {
    if (newer.size() >= generation) {
      ExecutedGeneration spent = older;
      older = newer;
      spent.clear();
      newer = spent;
    }
    newer.add(key);
  }

  boolean contains(Pending.Key key) {
    return newer.contains(key) || older.contains(key);
  }
}
