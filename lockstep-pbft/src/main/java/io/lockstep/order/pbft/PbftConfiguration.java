package io.lockstep.order.pbft;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * One configuration of a PBFT cluster: the replicas that order sequence numbers in its range,
 * and the quorum maths over them (n ≥ 3t+1, certificates of ⌈(n+t+1)/2⌉, the primary of view v
 * is {@code members[v mod n]}). A membership change replaces one configuration by another at a
 * checkpoint boundary ({@link MembershipSchedule}); every certificate for a sequence number is
 * counted in the one configuration in force for it.
 *
 * @param members the replicas, in increasing order
 * @param t Byzantine replicas tolerated; the same in every configuration of a cluster
 */
public record PbftConfiguration(List<Integer> members, int t) {

  public PbftConfiguration {
    TreeSet<Integer> sorted = new TreeSet<>(members);
    if (sorted.size() != members.size()) {
      throw new IllegalArgumentException("a configuration names each replica once: " + members);
    }
    if (!sorted.isEmpty() && sorted.first() < 0) {
      throw new IllegalArgumentException("replica ids must not be negative: " + members);
    }
    members = List.copyOf(sorted);
    if (t < 0 || members.size() < 3 * t + 1) {
      throw new IllegalArgumentException(belowThreeTPlusOne(members, t));
    }
  }

  /** A configuration of {@code replicas} (any order). */
  public static PbftConfiguration of(Collection<Integer> replicas, int t) {
    return new PbftConfiguration(List.copyOf(new TreeSet<>(replicas)), t);
  }

  /** Why {@code replicas} cannot be a configuration tolerating {@code t}, in an operator's words. */
  static String belowThreeTPlusOne(Collection<Integer> replicas, int t) {
    return "a PBFT configuration tolerating t=" + t + " Byzantine replicas needs at least "
        + (3 * t + 1) + " replicas (n >= 3t+1), " + replicas + " has " + replicas.size();
  }

  /** Replica count n. */
  public int n() {
    return members.size();
  }

  /** Matching messages that form a certificate in this configuration. */
  public int quorumSize() {
    return quorum().quorum();
  }

  Quorum quorum() {
    return new Quorum(n(), t);
  }

  /** The primary of {@code view}: members[view mod n], computed over this configuration. */
  public int primary(long view) {
    if (view < 0) {
      throw new IllegalArgumentException("views are non-negative, got " + view);
    }
    return members.get((int) (view % n()));
  }

  /** Whether {@code replica} votes in this configuration. */
  public boolean contains(int replica) {
    return members.contains(replica);
  }
}
