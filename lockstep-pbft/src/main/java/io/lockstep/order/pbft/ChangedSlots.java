package io.lockstep.order.pbft;

import java.util.ArrayList;
import java.util.List;

/**
 * The slots whose committed or executed digest changed since the slot invariants were last
 * checked ({@link Invariants#checkSlots}): only they can have broken one. A slot's invariants
 * (what it executed is what committed; nothing executed beyond the last executed) read only
 * those two digests, which change only through {@link Slot#commit} and {@link Slot#execute},
 * and the last executed sequence number, which only grows. Walking the whole window instead on
 * every Ready was 44 of a busy replica's 509 loop samples (docs/BENCHMARKS.md).
 *
 * <p>Bounded: past {@link #MAX} changes between two checks it keeps none and asks for the
 * whole window to be walked, as it is after recovery and if the last executed ever went back.
 */
final class ChangedSlots {
  /** Changes kept between two checks; a Ready has at most a window's worth (two per slot). */
  static final int MAX = 1_024;

  private final List<Slot> changed = new ArrayList<>();
  private boolean overflowed;
  /** The last executed sequence number at the last check. */
  private long checkedAtExecuted;

  /** {@code slot}'s committed or executed digest changed. */
  void add(Slot slot) {
    if (overflowed) {
      return;
    }
    if (changed.size() == MAX) {
      changed.clear();
      overflowed = true;
      return;
    }
    changed.add(slot);
  }

  /** Whether every slot must be walked: too many changes, or the last executed went back. */
  boolean walkAll(long lastExecuted) {
    return overflowed || lastExecuted < checkedAtExecuted;
  }

  /** The slots changed since the last check, in the order they changed. */
  List<Slot> changed() {
    return changed;
  }

  /** The slots were checked with the last executed at {@code lastExecuted}. */
  void checked(long lastExecuted) {
    changed.clear();
    overflowed = false;
    checkedAtExecuted = lastExecuted;
  }
}
