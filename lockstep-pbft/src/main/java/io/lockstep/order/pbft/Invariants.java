package io.lockstep.order.pbft;

/**
 * Checks the protocol's own invariants (a broken one is a bug: it throws with the state that
 * broke it). {@link #check} runs after every step and costs a few field reads;
 * {@link #checkSlots} walks every slot between the watermarks (up to the window, 256 by
 * default) and runs once per {@link Pbft#ready()} and after recovery. Walking them after every
 * step was about a tenth of a busy replica's loop thread (docs/BENCHMARKS.md, "PBFT throughput
 * on real processes"), and a broken slot is still caught before the Ready that would carry
 * anything built on it leaves the replica: every effect leaves through {@code ready()}.
 */
final class Invariants {
  private Invariants() {}

  /** Everything: the per-step checks and every slot's. */
  static void checkAll(Pbft p) {
    check(p);
    checkSlots(p);
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

  /** Every slot kept: what it executed is what committed, and not beyond the last executed. */
  static void checkSlots(Pbft p) {
    for (Slot slot : p.slots.values()) {
      if (slot.executedDigest != null && !slot.executedDigest.equals(slot.committed)) {
        fail(p, "executed " + slot.executedDigest + " at seq " + slot.seq + " but committed "
            + slot.committed);
      }
      if (slot.executedDigest != null && slot.seq > p.lastExecuted) {
        fail(p, "executed seq " + slot.seq + " beyond its last executed " + p.lastExecuted);
      }
    }
  }

  private static void fail(Pbft p, String what) {
    throw new IllegalStateException("PBFT invariant broken at replica " + p.self() + " (view "
        + p.view + "): " + what);
  }
}
