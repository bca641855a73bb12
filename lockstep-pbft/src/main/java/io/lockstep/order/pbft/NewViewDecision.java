package io.lockstep.order.pbft;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The new primary's decision, recomputed by every backup from the same signed view changes
 * (Castro's thesis §3.2.4 / TOCS §4.4, the rules that need no signed prepares):
 *
 * <ul>
 *   <li>the starting point h is the highest stable checkpoint any of them proves;
 *   <li>at each sequence number n above h up to the highest any of them prepared, the batch with
 *       digest d prepared in view v is chosen when (A1) 2t+1 of them prepared nothing at n in a
 *       later view nor anything else in view v, and (A2) t+1 of them pre-prepared d at n in view
 *       v or later — so at least one correct replica vouches for d and no quorum contradicts it;
 *   <li>otherwise the null batch is chosen when (B) 2t+1 of them prepared nothing at n;
 *   <li>otherwise there is no decision yet: the primary waits for more view changes.
 * </ul>
 *
 * A batch that committed in an earlier view was prepared by 2t+1 replicas, t+1 of them correct,
 * so among any 2t+1 view changes at least one reports it in its P set, (B) fails, and no other
 * batch passes (A1); the committed batch itself passes A1 and A2 once enough view changes are
 * in. Candidates are tried from the latest view down (digest order breaks ties), so the
 * decision is a function of the set alone and every correct backup reaches the same one.
 */
final class NewViewDecision {
  /** A decided new view: the checkpoint to start from and a batch per sequence number above. */
  record Decision(long stableSeq, PbftMessage.ViewChange stableFrom, TreeMap<Long, Batch> batches) {
    /** The highest sequence number the new view orders (h if none). */
    long maxSeq() {
      return batches.isEmpty() ? stableSeq : batches.lastKey();
    }
  }

  private NewViewDecision() {}

  /**
   * Decides from {@code changes} (valid, one per replica, all for the same view), or empty when
   * they do not yet allow a decision.
   */
  static Optional<Decision> decide(List<PbftMessage.ViewChange> changes, Quorum quorum) {
    if (changes.size() < quorum.quorum()) {
      return Optional.empty();
    }
    PbftMessage.ViewChange from = changes.stream()
        .max(Comparator.comparingLong(PbftMessage.ViewChange::stableSeq)
            .thenComparing(vc -> -vc.replica()))
        .orElseThrow();
    long h = from.stableSeq();
    long maxSeq = h;
    for (PbftMessage.ViewChange vc : changes) {
      for (PbftMessage.Prepared prepared : vc.prepared()) {
        maxSeq = Math.max(maxSeq, prepared.seq());
      }
    }
    TreeMap<Long, Batch> batches = new TreeMap<>();
    for (long n = h + 1; n <= maxSeq; n++) {
      Batch chosen = choose(changes, n, quorum);
      if (chosen == null) {
        return Optional.empty();
      }
      batches.put(n, chosen);
    }
    return Optional.of(new Decision(h, from, batches));
  }

  private static Batch choose(List<PbftMessage.ViewChange> changes, long n, Quorum quorum) {
    List<PbftMessage.Prepared> candidates = new ArrayList<>();
    for (PbftMessage.ViewChange vc : changes) {
      PbftMessage.Prepared prepared = preparedAt(vc, n);
      if (prepared != null) {
        candidates.add(prepared);
      }
    }
    candidates.sort(Comparator.comparingLong(PbftMessage.Prepared::view).reversed()
        .thenComparing(PbftMessage.Prepared::digest));
    for (PbftMessage.Prepared candidate : candidates) {
      if (notContradicted(changes, candidate) >= quorum.quorum()
          && vouched(changes, candidate) >= quorum.weak()) {
        return candidate.batch();
      }
    }
    int silent = 0;
    for (PbftMessage.ViewChange vc : changes) {
      silent += preparedAt(vc, n) == null ? 1 : 0;
    }
    return silent >= quorum.quorum() ? Batch.NULL : null;
  }

  /** A1: view changes that prepared nothing at n in a later view, nor another batch in its. */
  private static int notContradicted(List<PbftMessage.ViewChange> changes,
      PbftMessage.Prepared candidate) {
    int count = 0;
    for (PbftMessage.ViewChange vc : changes) {
      PbftMessage.Prepared theirs = preparedAt(vc, candidate.seq());
      if (theirs == null || theirs.view() < candidate.view()
          || (theirs.view() == candidate.view() && theirs.digest().equals(candidate.digest()))) {
        count++;
      }
    }
    return count;
  }

  /** A2: view changes that pre-prepared the candidate's digest at n in its view or later. */
  private static int vouched(List<PbftMessage.ViewChange> changes,
      PbftMessage.Prepared candidate) {
    int count = 0;
    for (PbftMessage.ViewChange vc : changes) {
      for (PbftMessage.PrePrepared q : vc.prePrepared()) {
        if (q.seq() == candidate.seq() && q.view() >= candidate.view()
            && q.digest().equals(candidate.digest())) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  private static PbftMessage.Prepared preparedAt(PbftMessage.ViewChange vc, long n) {
    for (PbftMessage.Prepared prepared : vc.prepared()) {
      if (prepared.seq() == n) {
        return prepared;
      }
    }
    return null;
  }
}
