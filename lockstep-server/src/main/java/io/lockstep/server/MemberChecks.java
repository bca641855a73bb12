package io.lockstep.server;

import io.lockstep.order.Configuration;
import io.lockstep.order.Configurator;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import io.lockstep.order.Status;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pure checks behind an operator's membership command: whether it may start now, the
 * single-server steps it takes (replace = add the new replica, then remove the old one), when a
 * step is done, and the configuration in words. A command is refused while another change is in
 * flight, and when it would break the combining condition P − F > Enuf (paper §7): after it, the
 * voters that answer (silent at most {@link CombiningWatch#UNREACHABLE_MILLIS} on the leader)
 * must still be a majority, or nothing could commit.
 */
final class MemberChecks {
  private static final Configurator EVIDENCE =
      new Configurator(1, CombiningWatch.UNREACHABLE_MILLIS);

  /**
   * Ends an answer after which the same command may be sent again: it changed nothing and may
   * succeed later, or it was cut short and, asked again, carries on ({@link #steps}). The
   * operator's client asks again on its own until its time is up
   * ({@link ClientMessage.MemberResult#mayTryAgain}).
   */
  static final String TRY_AGAIN = ClientMessage.MemberResult.TRY_AGAIN;

  private MemberChecks() {}

  /** Why {@code ask} may not start now on the leader {@code self}, or empty. */
  static Optional<String> refusal(MembershipRuntime.Ask ask, Configuration view,
      List<Integer> listed, int self) {
    if (!view.committed()) {
      return Optional.of("a membership change is in flight (the configuration at index "
          + view.index() + " is not committed yet); " + TRY_AGAIN);
    }
    if (!view.learners().isEmpty()) {
      // Removing the learner itself cancels a catch-up that does not finish (a spare that is
      // down): without this, with the configurator off, nothing else could ever start.
      return ask.operation() == MemberOperation.REMOVE
          && view.learners().contains(ask.replica()) ? Optional.empty()
          : Optional.of("a membership change is in flight (replica " + view.learners()
              + " is being caught up before it votes; `member remove` it to cancel); "
              + TRY_AGAIN);
    }
    if (ask.operation() != MemberOperation.LIST && steps(ask, view).isEmpty()) {
      return Optional.empty(); // where it ends is in force and committed: nothing to refuse
    }
    int failed = EVIDENCE.failed(view, self).size();
    return switch (ask.operation()) {
      case ADD -> addRefusal(ask.replica(), view, listed, failed);
      case REMOVE -> removalRefusal(ask.replica(), view, self);
      case REPLACE -> replaceRefusal(ask, view, listed, failed, self);
      case LIST -> Optional.empty();
    };
  }

  /**
   * A replace with its addition in force (asked again after a leader change cut it short) has
   * only the removal left to check.
   */
  private static Optional<String> replaceRefusal(MembershipRuntime.Ask ask, Configuration view,
      List<Integer> listed, int failed, int self) {
    if (ask.replica() == ask.other()) {
      return Optional.of("replace needs two different replicas");
    }
    boolean oldVotes = view.voters().contains(ask.replica());
    if (view.voters().contains(ask.other())) {
      return removalRefusal(ask.replica(), view, self);
    }
    return addRefusal(ask.other(), view, listed, failed).or(() -> oldVotes ? Optional.empty()
        : Optional.of("replica " + ask.replica() + " is not a voter of " + view.voters()));
  }

  private static Optional<String> addRefusal(int replica, Configuration view,
      List<Integer> listed, int failed) {
    if (!listed.contains(replica)) {
      return Optional.of("replica " + replica + " has no addresses in the cluster file or the"
          + " replicated configuration (listed: " + listed + "); add it with them: lockstep"
          + " member add " + replica + " --peer HOST:PORT --client HOST:PORT");
    }
    if (view.margin(failed) < 0) {
      return Optional.of("only " + (view.voters().size() - failed) + " of the voters "
          + view.voters() + " answer, not a majority: no change can commit");
    }
    return Optional.empty();
  }

  /**
   * Why removing {@code replica} would break the combining condition or is not possible, or
   * empty. Removing a voter that answers lowers P only; removing a failed one lowers P and F.
   */
  static Optional<String> removalRefusal(int replica, Configuration view, int self) {
    if (!view.voters().contains(replica)) {
      return Optional.of("replica " + replica + " is not a voter of " + view.voters());
    }
    if (view.voters().size() == 1) {
      return Optional.of("replica " + replica + " is the only voter; a configuration needs one");
    }
    List<Integer> failed = new ArrayList<>(EVIDENCE.failed(view, self));
    List<Integer> remaining = new ArrayList<>(view.voters());
    remaining.remove(Integer.valueOf(replica));
    failed.remove(Integer.valueOf(replica));
    Configuration after = new Configuration(remaining, List.of(), view.index(), true, "",
        view.silentMillis());
    int margin = after.margin(failed.size());
    if (margin < 0) {
      return Optional.of("removing replica " + replica + " would break the combining condition:"
          + " of the voters left " + remaining + ", " + failed + " do not answer, so no"
          + " majority would (margin " + margin + ")");
    }
    return Optional.empty();
  }

  /**
   * The single-server steps of {@code ask} still to take from {@code view}, in order; empty
   * when nothing is left. A command is defined by where it ends (add: the replica votes;
   * remove: it neither votes nor is caught up; replace: both), and a step already in force is
   * skipped, so the same command asked again after an answer that did not see it through (a
   * leader change between or during its steps) carries on from the configuration in force.
   */
  static List<ChangeMembership> steps(MembershipRuntime.Ask ask, Configuration view) {
    List<ChangeMembership> left = new ArrayList<>();
    int adds = ask.operation() == MemberOperation.ADD ? ask.replica()
        : ask.operation() == MemberOperation.REPLACE ? ask.other() : -1;
    int removes = ask.operation() == MemberOperation.REMOVE
        || ask.operation() == MemberOperation.REPLACE ? ask.replica() : -1;
    if (adds >= 0 && !view.voters().contains(adds)) {
      left.add(new ChangeMembership(Change.ADD, adds));
    }
    if (removes >= 0 && (view.voters().contains(removes) || view.learners().contains(removes))) {
      left.add(new ChangeMembership(Change.REMOVE, removes));
    }
    return left;
  }

  /** True once {@code change} is in a committed configuration. */
  static boolean done(ChangeMembership change, Configuration view) {
    if (!view.committed()) {
      return false;
    }
    boolean voter = view.voters().contains(change.replica());
    return change.change() == Change.ADD ? voter
        : !voter && !view.learners().contains(change.replica());
  }

  /** The configuration for the operator: voters, learners, spares, and the margin. */
  static String describe(Configuration view, List<Integer> listed, Status status) {
    List<Integer> spares = listed.stream()
        .filter(r -> !view.voters().contains(r) && !view.learners().contains(r)).toList();
    List<Integer> failed = EVIDENCE.failed(view, status.self());
    return "configuration (as replica " + status.self() + ", " + status.role().name()
        .toLowerCase(java.util.Locale.ROOT) + ", sees it): voters " + view.voters()
        + ", learners " + view.learners() + ", spares " + spares + "; index " + view.index()
        + (view.committed() ? " committed" : " NOT committed yet")
        + (status.role() == io.lockstep.order.Role.LEADER ? "; unreachable " + failed
            + ", margin " + view.margin(failed.size()) : "");
  }
}
