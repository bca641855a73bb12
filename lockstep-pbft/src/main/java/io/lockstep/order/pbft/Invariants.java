package io.lockstep.order.pbft;

/**
 * Checks the protocol's own invariants (a broken one is a bug: it throws with the state that
 * broke it). {@link #check} runs after every step and costs a few field reads;
 * {@link #checkSlots} runs once per {@link Pbft#ready()} and checks the slots whose digests
 * changed since the last Ready ({@link ChangedSlots}), which are the only ones that can have
 * broken a slot invariant; {@link #checkAll} walks every slot between the watermarks (up to the
 * window, 256 by default), after recovery. Walking them all after every step was about a tenth
 * of a busy replica's loop thread, and once per Ready still 44 of 509 loop samples
 * (docs/BENCHMARKS.md); a broken slot is still caught before the Ready that would carry
 * anything built on it leaves the replica: every effect leaves through {@code ready()}.
 */
final class Invariants {
  private Invariants() {}

  /** Everything: the per-step checks and every slot's. */
  static void checkAll(Pbft p) {
    check(p);
    for (Slot slot : p.slots.values()) {
      checkSlot(p, slot);
    }
    p.changedSlots.checked(p.lastExecuted);
  }

  /** The checks that cost a few field reads, run after every step. */
  static void check(Pbft p) {
    if (p.lastExecuted < p.low && !p.transfer.active()) {
      fail(p, "executed " + p.lastExecuted + " below the stable checkpoint " + p.low
          + " without fetching its state");
    }
    if (!p.slots.isEmpty() && p.slots.firstKey() <= p.low) {
      fail(p, "keeps seq " + p.slots.firstKey() + " at or below the low watermark " + p.low);
    }
    if (!p.slots.isEmpty() && p.slots.lastKey() > p.low + p.config.window()) {
      fail(p, "keeps seq " + p.slots.lastKey() + " above the high watermark "
          + (p.low + p.config.window()));
    }
    if (!p.checkpoints.ownVoteMatchesState()) {
      fail(p, "voted for checkpoint " + p.checkpoints.ownLatest.seq() + " with a digest other"
          + " than its own state's there");
    }
    if (p.changingView && p.viewChanges.own == null) {
      fail(p, "changes view without a view change of its own");
    }
  }

  /**
   * The slot invariants of every kept slot that changed since the last check (all of them when
   * {@link ChangedSlots#walkAll} says so). A changed slot the window has since dropped is not
   * kept, and not checked, as a walk over the window would not.
   */
  static void checkSlots(Pbft p) {
    ChangedSlots changes = p.changedSlots;
    if (changes.walkAll(p.lastExecuted)) {
      for (Slot slot : p.slots.values()) {
        checkSlot(p, slot);
      }
    } else {
      for (Slot slot : changes.changed()) {
        if (p.slots.get(slot.seq) == slot) {
          checkSlot(p, slot);
        }
      }
    }
    changes.checked(p.lastExecuted);
  }

  /** What a slot executed is what committed there, and not beyond the last executed. */
  private static void checkSlot(Pbft p, Slot slot) {
    Digest executed = slot.executedDigest();
    if (executed != null && !executed.equals(slot.committed())) {
      fail(p, "executed " + executed + " at seq " + slot.seq + " but committed "
          + slot.committed());
    }
    if (executed != null && slot.seq > p.lastExecuted) {
      fail(p, "executed seq " + slot.seq + " beyond its last executed " + p.lastExecuted);
    }
  }

  private static void fail(Pbft p, String what) {
    throw new IllegalStateException("PBFT invariant broken at replica " + p.self() + " (view "
        + p.view + "): " + what);
  }
}
