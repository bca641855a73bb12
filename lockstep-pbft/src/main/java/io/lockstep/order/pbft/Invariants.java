package io.lockstep.order.pbft;

/**
 * Checks the protocol's own invariants after every step (a broken one is a bug: it throws with
 * the state that broke it).
 */
final class Invariants {
  private Invariants() {}

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
    for (Slot slot : p.slots.values()) {
      if (slot.executedDigest != null && !slot.executedDigest.equals(slot.committed)) {
        fail(p, "executed " + slot.executedDigest + " at seq " + slot.seq + " but committed "
            + slot.committed);
      }
      if (slot.executedDigest != null && slot.seq > p.lastExecuted) {
        fail(p, "executed seq " + slot.seq + " beyond its last executed " + p.lastExecuted);
      }
    }
    if (p.changingView && p.viewChanges.own == null) {
      fail(p, "changes view without a view change of its own");
    }
  }

  private static void fail(Pbft p, String what) {
    throw new IllegalStateException("PBFT invariant broken at replica " + p.self() + " (view "
        + p.view + "): " + what);
  }
}
