package io.lockstep.order.pbft;

import java.util.HashSet;
import java.util.Set;

/**
 * The requests a replica executed lately, at least {@code remembered} of them and at most twice
 * that: two generations of sets, the older dropped whole when the newer fills. An insertion-
 * ordered map that evicted its eldest entry on every insertion did the same with an exact bound,
 * but each eviction read an entry executed a window ago (about 65,000 requests earlier with the
 * default settings), long out of the processor's caches: that was a tenth of a backup's loop
 * time under write load.
 */
final class RecentlyExecuted {
  private final int generation;
  private Set<Pending.Key> newer = new HashSet<>();
  private Set<Pending.Key> older = new HashSet<>();

  RecentlyExecuted(int remembered) {
    if (remembered < 1) {
      throw new IllegalArgumentException("remembered must be positive, not " + remembered);
    }
    this.generation = remembered;
  }

  void add(Pending.Key key) {
    if (newer.size() >= generation) {
      older = newer;
      newer = new HashSet<>();
    }
    newer.add(key);
  }

  boolean contains(Pending.Key key) {
    return newer.contains(key) || older.contains(key);
  }
}
