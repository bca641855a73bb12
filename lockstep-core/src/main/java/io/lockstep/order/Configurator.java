package io.lockstep.order;

import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The paper's configurator (§7, S21) for a crash-tolerant majority protocol: it replaces a voter
 * that has been unreachable past a bound with a spare, one single-server step at a time, and
 * never takes a step that breaks the combining condition P − F > Enuf (here: the voters that
 * answer within the bound must stay a majority, {@link Configuration#margin}).
 *
 * <p>The evidence it acts on is the failure model's own (F1/F2 for fail-stop replicas): a voter
 * silent past {@code unreachableMillis} on the leader's clock is taken as failed. A voter that
 * answered within the bound is never removed, whatever else is wrong. The steps, in order:
 *
 * <ol>
 *   <li>while a spare is being caught up (a learner), keep asking for it: nothing else starts;
 *   <li>a failed voter with the configuration at or below its target size: add a spare first
 *       (a caught-up spare never lowers the margin, and the failed voter still counts as P);
 *   <li>then remove a failed voter (P and F both drop by one: the margin never shrinks).
 * </ol>
 *
 * <p>Deterministic and pure: the caller (the leader's runtime, or the simulator) asks it after
 * every change of what it knows, and steps the change it returns into the protocol.
 *
 * @param targetVoters the configuration size to keep (2t + 1 for the t to tolerate at once)
 * @param unreachableMillis how long a voter may stay silent before it is taken as failed
 */
public record Configurator(int targetVoters, long unreachableMillis) {
  public Configurator {
    if (targetVoters < 1 || unreachableMillis < 1) {
      throw new IllegalArgumentException("target voters and the unreachable bound must be"
          + " positive, got " + targetVoters + " and " + unreachableMillis);
    }
  }

  /** The voters of {@code view} taken as failed: silent past the bound on the leader. */
  public List<Integer> failed(Configuration view, int leader) {
    return view.voters().stream()
        .filter(v -> v != leader && view.silentMillis().getOrDefault(v, 0L) > unreachableMillis)
        .toList();
  }

  /**
   * The next step for the leader {@code leader} whose configuration is {@code view}, or empty.
   *
   * @param spares replicas that may be added, in order of preference (not already voters)
   */
  public Optional<ChangeMembership> next(Configuration view, int leader, List<Integer> spares) {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(spares, "spares");
    if (!view.learners().isEmpty()) {
      return Optional.of(new ChangeMembership(Change.ADD, view.learners().get(0)));
    }
    List<Integer> failed = failed(view, leader);
    if (failed.isEmpty() || !view.committed() || view.margin(failed.size()) < 0) {
      return Optional.empty(); // nothing failed; a change in flight; or no majority to commit
    }
    Optional<Integer> spare = spares.stream().filter(s -> !view.voters().contains(s)).findFirst();
    if (view.voters().size() <= targetVoters && spare.isPresent()) {
      return Optional.of(new ChangeMembership(Change.ADD, spare.get()));
    }
    return Optional.of(new ChangeMembership(Change.REMOVE, failed.get(0)));
  }
}
