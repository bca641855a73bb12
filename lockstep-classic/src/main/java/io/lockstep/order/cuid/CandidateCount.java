package io.lockstep.order.cuid;

import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.stamped.FailureNotices;
import io.lockstep.order.stamped.Uid;
import java.util.Map;

/**
 * Which candidates a request of the fail-stop {@link CandidateOrder} waits for, which count in
 * its uid, and (client quiescence) when every live replica has them. One per order; it reads
 * the order's failed set, boundaries and latest broadcasts, and changes nothing.
 */
final class CandidateCount {
  private final CandidateOrder order;
  private final boolean boundary;
  private final boolean quiescence;

  /**
   * @param boundary false only in the test that must catch a rejoin without its boundary
   * @param quiescence false only in the counterexample tests
   */
  CandidateCount(CandidateOrder order, boolean boundary, boolean quiescence) {
    this.order = order;
    this.boundary = boundary;
    this.quiescence = quiescence;
  }

  /**
   * Request {@code id} needs member {@code m}'s candidate: m is not declared failed, and id is
   * above m's boundary if m rejoined ({@link CandidateJoin}).
   */
  boolean needs(int m, Proposal.Id id) {
    if (order.failed.contains(m)) {
      return false;
    }
    long[] counts = boundary ? order.boundaries.get(m) : null;
    return counts == null || id.seq() > counts[order.index.get(id.origin())];
  }

  /**
   * Whether m's candidate for r, above m's boundary, was proposed in m's life before its rejoin
   * (carried by a broadcast its admission counts): every replica then waits for m's new one
   * instead, as m itself proposes anew (possible only if r reached m before its crash and its
   * donor only after the admission).
   */
  private boolean earlierLife(int m, Proposal p) {
    long[] counts = boundary ? order.boundaries.get(m) : null;
    Long carried = p.carriedBy.get(m);
    return counts != null && carried != null && needs(m, p.id)
        && carried <= counts[order.index.get(m)];
  }

  /**
   * Once every replica whose candidate r needs has proposed one, the largest candidate held,
   * failed replicas' included. A replica that accepted r while q was live counted q's
   * candidate; one that accepts r after declaring q failed holds it too, since it declares q
   * failed only once it holds every broadcast of q that any live replica reported holding
   * ({@link FailureNotices}), and drops q's later ones: so both choose the same uid. A
   * candidate of a rejoined replica's earlier life for a request above its boundary does not
   * count: every replica waits for its new one ({@link #earlierLife}). Null while a needed
   * candidate is missing.
   */
  Uid largest(Proposal p) {
    Uid max = null;
    for (int m : order.members) {
      Uid c = earlierLife(m, p) ? null : p.candidates.get(m);
      if (c == null && needs(m, p.id)) {
        return null;
      }
      max = c == null || (max != null && c.before(max)) ? max : c;
    }
    return max;
  }

  /**
   * ABCAST's coordinator: once every replica r needs has proposed, the largest candidate held,
   * failed replicas' and a rejoined replica's earlier life's included (as {@link #largest}: a
   * replica that failed may have processed a request by the uid bound its candidate for r gave);
   * null while a needed candidate is missing.
   */
  Uid largestNeeded(Proposal p) {
    Uid max = null;
    for (int m : order.members) {
      Uid c = p.candidates.get(m);
      if (c == null && needs(m, p.id)) {
        return null;
      }
      max = c == null || (max != null && c.before(max)) ? max : c;
    }
    return max;
  }

  /**
   * ABCAST: some replica's candidate for r is neither needed nor held (it failed, or r is below
   * its boundary). Its candidate went to a coordinator alone, which may have failed with it, and
   * before failing it may have processed a request by the bound that candidate gave; the
   * coordinator then adds a fresh candidate of its own, above its ACCEPT ({@link
   * AbcastCoordinator#decide}).
   */
  boolean someCandidateLost(Proposal p) {
    for (int m : order.members) {
      if (!needs(m, p.id) && !p.candidates.containsKey(m)) {
        return true;
      }
    }
    return false;
  }

  /**
   * ABCAST's boundary gate: this replica delivered, from every other replica r needs, a
   * broadcast acknowledging r. A donor acknowledges a request above its admission's boundary
   * only in a broadcast after the admission, so the coordinator then knows every boundary r is
   * above ({@link AbcastCoordinator}).
   */
  boolean acknowledgedByNeeded(Proposal p) {
    int self = order.config.self();
    int origin = order.index.get(p.id.origin());
    for (int m : order.members) {
      if (m == self || !needs(m, p.id)) {
        continue;
      }
      Carry last = order.latest.get(m);
      if (last == null || last.ack(origin) < p.id.seq()) {
        return false;
      }
    }
    return true;
  }

  /** Client quiescence (when on): every live replica has every candidate that made the uid. */
  boolean acceptedEverywhere(Proposal p) {
    if (!quiescence) {
      return true;
    }
    int self = order.config.self();
    for (int m : order.members) {
      if (m == self || order.failed.contains(m)) {
        continue;
      }
      Carry last = order.latest.get(m);
      for (Map.Entry<Integer, Long> c : p.carriedBy.entrySet()) {
        if (c.getKey() != m
            && (last == null || last.ack(order.index.get(c.getKey())) < c.getValue())) {
          return false;
        }
      }
    }
    return true;
  }
}
