package io.lockstep.order.pbft;

import io.lockstep.configuration.ReplicaSetCheck;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@link ReplicaSetRule} and {@link MembershipSchedule#requiredDistance} as the executor applies
 * them where a {@code SetReplicas} is ordered, so that a change PBFT cannot survive is refused by
 * every replica alike and never reaches a checkpoint's state (where {@link MembershipSchedule}
 * would have to stop every replica on reading it).
 */
final class PbftReplicaSetCheck implements ReplicaSetCheck {
  private final List<Integer> initial;
  private final int t;
  private final Set<Integer> known;
  private final long distance;

  /**
   * @param config the cluster's settings: its initial members, t, and the window and batch
   *     size that fix the distance
   * @param known replicas the cluster file lists with keys and addresses
   */
  PbftReplicaSetCheck(PbftConfig config, Set<Integer> known) {
    this.initial = List.copyOf(config.members());
    this.t = config.t();
    this.known = Set.copyOf(known);
    this.distance = MembershipSchedule.requiredDistance(config);
  }

  /**
   * The check of a cluster whose replica set is fixed ({@code pbft.replica-set=fixed}): it
   * refuses every change, since the protocol would go on ordering with the file's replicas
   * while clients counted replies from the changed set.
   */
  static ReplicaSetCheck fixed() {
    return new ReplicaSetCheck() {
      @Override
      public long minimumDistance() {
        return 1;
      }

      @Override
      public String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed) {
        return "this PBFT cluster's replica set is fixed (pbft.replica-set=fixed): set"
            + " pbft.replica-set=ordered in every replica's cluster file, and restart them, to"
            + " change it";
      }
    };
  }

  @Override
  public long minimumDistance() {
    return distance;
  }

  @Override
  public String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed) {
    return refusal(latest, proposed, Set.of());
  }

  /**
   * The rule with {@code keyed}, the replicas recorded with their key by an operator's ordered
   * {@code SetMember}, counted as known alongside the cluster file's: every correct replica
   * holds the same records at this position, so they all judge the change alike, and a
   * machine no file names can join once its key is recorded.
   */
  @Override
  public String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed,
      Set<Integer> keyed) {
    SortedSet<Integer> from = latest.isEmpty() ? new TreeSet<>(initial) : latest;
    Set<Integer> all = new TreeSet<>(known);
    all.addAll(keyed);
    return ReplicaSetRule.refusal(PbftConfiguration.of(from, t), proposed, all);
  }
}
