package io.lockstep.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The search's memo: configurations (linearized determinate operations, linearized indeterminate
 * operations, register state) already explored, with subsumption.
 *
 * <p>Knossos and Porcupine memoize exact (linearized set, state) pairs. Here a configuration is
 * also skipped when an explored one has the same determinate set and state and a <em>subset</em>
 * of its indeterminate operations: an indeterminate operation never has to be linearized, so any
 * way to finish from the larger set also finishes from the smaller one by leaving the extra
 * operations out. Without this, each indeterminate operation still pending (an {@code info}
 * delete or cas that never took effect stays pending to the end) would double the configurations
 * an unsuccessful search must exhaust.
 *
 * <p>Sets are stored compactly: the determinate set is nearly always "every operation up to some
 * point, plus a few concurrent ones", so it is kept as the number of leading all-ones words and
 * the remaining words without trailing zeros — a few words per configuration however long the
 * history.
 */
final class ExploredConfigurations {
  /** Determinate set (compacted) and state. */
  private static final class Key {
    final long[] determinate;
    final int state;
    final int hash;

    Key(long[] determinate, int state) {
      this.determinate = compact(determinate);
      this.state = state;
      this.hash = 31 * Arrays.hashCode(this.determinate) + state;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.state == state
          && Arrays.equals(k.determinate, determinate);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final Map<Key, List<long[]>> explored = new HashMap<>();
  private long size;

  /**
   * Records the configuration unless an explored one subsumes it.
   *
   * @return true if the configuration is new and must be explored
   */
  boolean add(long[] determinate, long[] indeterminate, int state) {
    Key key = new Key(determinate, state);
    List<long[]> sets = explored.get(key);
    if (sets == null) {
      sets = new ArrayList<>(1);
      explored.put(key, sets);
    } else {
      for (long[] seen : sets) {
        if (isSubset(seen, indeterminate)) {
          return false;
        }
      }
      // Explored supersets are now dominated by the new set; dropping them keeps lookups short.
      sets.removeIf(seen -> isSubset(indeterminate, seen));
    }
    sets.add(Arrays.copyOf(indeterminate, lengthWithoutTrailingZeros(indeterminate, 0)));
    size++;
    return true;
  }

  /** Number of configurations explored so far (each counted once, even if later dominated). */
  long size() {
    return size;
  }

  /** Whether a ⊆ b; a missing word counts as zero. */
  private static boolean isSubset(long[] a, long[] b) {
    for (int i = 0; i < a.length; i++) {
      long bi = i < b.length ? b[i] : 0;
      if ((a[i] & ~bi) != 0) {
        return false;
      }
    }
    return true;
  }

  /** {count of leading all-ones words, the following words without trailing zero words}. */
  private static long[] compact(long[] bits) {
    int full = 0;
    while (full < bits.length && bits[full] == -1L) {
      full++;
    }
    int end = lengthWithoutTrailingZeros(bits, full);
    long[] out = new long[1 + end - full];
    out[0] = full;
    System.arraycopy(bits, full, out, 1, end - full);
    return out;
  }

  private static int lengthWithoutTrailingZeros(long[] bits, int from) {
    int end = bits.length;
    while (end > from && bits[end - 1] == 0) {
      end--;
    }
    return end;
  }
}
