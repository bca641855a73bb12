package io.lockstep.order.pbft;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which replica-set changes a PBFT cluster accepts, checked before a change is ordered (by the
 * operator's command path) so that an unsafe one is refused with its reason and changes nothing.
 * The combining condition for the Byzantine model (paper §7, P − F > Enuf): every configuration
 * keeps n ≥ 3t+1, so its quorums still intersect in a correct replica; a replica is never
 * removed or added on evidence weaker than an operator's signed command.
 */
public final class ReplicaSetRule {
  private ReplicaSetRule() {}

  /**
   * Why {@code proposed} may not follow {@code latest} (the configuration in force, or the last
   * one already pending), or null when it may.
   *
   * @param known replicas whose public keys and addresses the cluster file lists or the
   *     replicated configuration records: a replica nobody can authenticate cannot vote
   */
  public static String refusal(PbftConfiguration latest, SortedSet<Integer> proposed,
      Set<Integer> known) {
    int t = latest.t();
    if (proposed.equals(new TreeSet<>(latest.members()))) {
      return "the replica set is already " + proposed;
    }
    if (proposed.size() < 3 * t + 1) {
      return PbftConfiguration.belowThreeTPlusOne(proposed, t);
    }
    for (int replica : proposed) {
      if (!known.contains(replica)) {
        return "replica " + replica + " has no known key: neither the cluster file lists it nor"
            + " the replicated configuration records it (record its addresses and key first:"
            + " lockstep member add " + replica + " --peer … --client … --key …)";
      }
    }
    TreeSet<Integer> joining = new TreeSet<>(proposed);
    joining.removeAll(latest.members());
    if (joining.size() > t) {
      return "the change adds " + joining + " at once; at most t=" + t + " may join per change,"
          + " because a replica that has not fetched the state yet counts among the t faulty"
          + " ones of its new configuration";
    }
    TreeSet<Integer> leaving = new TreeSet<>(latest.members());
    leaving.removeAll(proposed);
    if (leaving.size() > t) {
      return "the change removes " + leaving + " at once; at most t=" + t + " may leave per"
          + " change, so that the old configuration's remaining replicas still hold a quorum"
          + " of its checkpoint proofs against removed replicas that turn faulty";
    }
    return null;
  }
}
