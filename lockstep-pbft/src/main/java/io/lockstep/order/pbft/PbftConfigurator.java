package io.lockstep.order.pbft;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The paper's configurator (§7, S21) for a Byzantine cluster: the decision which replica-set
 * change to make when a member has gone silent, as pure functions of what one replica knows.
 * The primary proposes the change ({@link #proposal}) and every backup checks it against its
 * own knowledge before it prepares the batch that carries it ({@link #agrees}); 2t+1 prepares
 * then include t+1 correct replicas that each saw the evidence themselves.
 *
 * <p>The evidence is the failure model's own (paper C1): a member counts as failed only when
 * t+1 replicas report it silent past {@link #unreachableMillis} ({@link Silence}), so t liars
 * can never have a correct replica removed. The change is one replacement at a time (the failed
 * member out, a configured spare in), which {@link ReplicaSetRule} allows, and which keeps the
 * combining condition P − F > Enuf: the spare counts among the faulty until it has caught up,
 * so the margin after is the margin before, and no change is proposed without a quorum left
 * (margin below 0), as then nothing could be ordered anyway.
 *
 * @param unreachableMillis how long t+1 replicas must report a member silent
 * @param spares replicas that may join, in order of preference
 */
public record PbftConfigurator(long unreachableMillis, List<Integer> spares) {
  public PbftConfigurator {
    if (unreachableMillis < 1) {
      throw new IllegalArgumentException("the unreachable bound must be positive, was "
          + unreachableMillis);
    }
    spares = List.copyOf(spares);
  }

  /**
   * The replica set to propose, or null: the first member silent past the bound by more than
   * {@code slackMillis}, replaced by the first spare that is not a member. The slack lets every
   * correct backup's evidence, which lags the primary's by up to a status period, pass the
   * bound too by the time the proposal reaches it.
   *
   * @param evidenced how long t+1 replicas report each other member silent
   */
  SortedSet<Integer> proposal(PbftConfiguration current, Map<Integer, Long> evidenced,
      long slackMillis) {
    return proposal(current, evidenced, slackMillis, spare -> true);
  }

  /**
   * As {@link #proposal(PbftConfiguration, Map, long)}, choosing only a spare for which
   * {@code reachable} holds: the primary's own word that the spare did not fall silent. A
   * spare that failed after it served (it was replaced in turn) stays in the list; proposing
   * it again would put a dead replica back in the set. Backups do not check this: it is not
   * evidence against anyone, and a wrong choice costs only a later replacement.
   */
  SortedSet<Integer> proposal(PbftConfiguration current, Map<Integer, Long> evidenced,
      long slackMillis, IntPredicate reachable) {
    List<Integer> failed = failed(current, evidenced, unreachableMillis + slackMillis);
    if (failed.isEmpty() || current.n() - failed.size() < current.quorumSize()) {
      return null; // nothing failed; or no quorum left to order the change
    }
    for (int spare : spares) {
      if (!current.contains(spare) && reachable.test(spare)) {
        TreeSet<Integer> next = new TreeSet<>(current.members());
        next.remove(failed.get(0));
        next.add(spare);
        return ReplicaSetRule.refusal(current, next, known(current)) == null ? next : null;
      }
    }
    return null; // no spare left (or none heard): a failed member keeps its place
  }

  /**
   * Why this replica would not make the change {@code proposed}, or null when it would: it
   * must replace exactly one member this replica's evidence shows silent past the bound with
   * one configured spare, within {@link ReplicaSetRule}.
   */
  String disagreement(PbftConfiguration current, Map<Integer, Long> evidenced,
      SortedSet<Integer> proposed) {
    Objects.requireNonNull(proposed, "proposed");
    TreeSet<Integer> leaving = new TreeSet<>(current.members());
    leaving.removeAll(proposed);
    TreeSet<Integer> joining = new TreeSet<>(proposed);
    joining.removeAll(current.members());
    if (leaving.size() != 1 || joining.size() != 1) {
      return "the configurator replaces one member at a time, not " + leaving + " by "
          + joining;
    }
    if (!failed(current, evidenced, unreachableMillis).contains(leaving.first())) {
      return "replica " + leaving.first() + " is not reported silent past "
          + unreachableMillis + " ms by t+1 replicas here";
    }
    if (!spares.contains(joining.first())) {
      return "replica " + joining.first() + " is not a configured spare " + spares;
    }
    return ReplicaSetRule.refusal(current, proposed, known(current));
  }

  /** Whether this replica would make the change {@code proposed} ({@link #disagreement}). */
  boolean agrees(PbftConfiguration current, Map<Integer, Long> evidenced,
      SortedSet<Integer> proposed) {
    return disagreement(current, evidenced, proposed) == null;
  }

  private static List<Integer> failed(PbftConfiguration current, Map<Integer, Long> evidenced,
      long bound) {
    return current.members().stream()
        .filter(m -> evidenced.getOrDefault(m, 0L) > bound).toList();
  }

  private Set<Integer> known(PbftConfiguration current) {
    Set<Integer> known = new TreeSet<>(current.members());
    known.addAll(spares);
    return known;
  }
}
