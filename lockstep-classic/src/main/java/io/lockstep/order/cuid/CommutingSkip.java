package io.lockstep.order.cuid;

import io.lockstep.order.Commuting;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Uid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.Predicate;

/**
 * Requests declared commuting skip Order (paper §3, S12), for replica-generated uids. An accepted
 * request r may be applied before the order rule reaches it when it commutes with every request
 * this replica could still have to apply before it: the accepted ones with smaller uids not yet
 * applied, and the seen-but-not-accepted ones whose candidate here is at or below uid(r) (their
 * uid may end up below uid(r)). Nothing else can come before it: a request this replica has not
 * seen yet gets a candidate above uid(r) here (UID2), so a uid above it (UID1). Every replica
 * then applies the same requests, each in an order that differs only by swapping commuting
 * pairs, so the outputs and the final state agree, if the declaration is true.
 *
 * <p>Barriers (reads) and null requests commute with nothing, so a read still sees exactly the
 * requests ordered before it. The scan is bounded ({@link #SCAN} proposals each way), so a long
 * queue costs a bounded amount per step; a request past it waits for the order rule.
 */
final class CommutingSkip {
  /** The most proposals looked at on either side of one candidate for skipping. */
  static final int SCAN = 64;

  private final Commuting commuting;

  CommutingSkip(Commuting commuting) {
    this.commuting = commuting;
  }

  /**
   * The first accepted proposal, in uid order, that may be applied now, or null.
   *
   * @param accepted accepted proposals not yet applied, by uid
   * @param seenNotAccepted seen proposals not yet accepted, by this replica's candidate
   * @param acceptedEverywhere client quiescence: whether every live replica has accepted it
   */
  Proposal next(NavigableMap<Uid, Proposal> accepted, NavigableMap<Uid, Proposal> seenNotAccepted,
      Predicate<Proposal> acceptedEverywhere) {
    if (commuting == Commuting.NOTHING) {
      return null;
    }
    List<Proposal> before = new ArrayList<>();
    for (Proposal p : accepted.values()) {
      if (before.size() >= SCAN) {
        return null;
      }
      if (isRequest(p) && acceptedEverywhere.test(p) && commutesWithAll(p, before)
          && commutesWithAll(p, seenNotAccepted.headMap(p.uid, true).values())) {
        return p;
      }
      before.add(p);
    }
    return null;
  }

  private boolean commutesWithAll(Proposal p, Collection<Proposal> others) {
    int looked = 0;
    for (Proposal q : others) {
      if (++looked > SCAN || !isRequest(q) || !commuting.commute(p.request, q.request)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isRequest(Proposal p) {
    return p.kind == Kind.REQUEST && p.request != null;
  }
}
