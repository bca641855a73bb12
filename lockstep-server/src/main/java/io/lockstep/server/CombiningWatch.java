package io.lockstep.server;

import io.lockstep.order.Configuration;
import io.lockstep.order.Configurator;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;

/**
 * Computes the combining condition P − F > Enuf (paper §7) after every loop batch: on the leader,
 * F is the voters silent past {@link #UNREACHABLE_MILLIS} on its clock, and the margin is how many
 * more voters may fail before fewer than a quorum answer ({@link Configuration#margin}: a
 * majority under crash faults, 2t+1 under PBFT). A follower does not know who answers the
 * leader, so it reports no margin. A change of the margin is logged,
 * as a warning once it is 0 or less ("thin": one more failure, or already none, stops commits).
 * Loop thread only.
 */
final class CombiningWatch {
  /** How long a voter may stay silent on the leader before it counts as failed. */
  static final long UNREACHABLE_MILLIS = 2_000;

  private static final Logger LOG = System.getLogger(CombiningWatch.class.getName());
  private static final Configurator EVIDENCE = new Configurator(1, UNREACHABLE_MILLIS);

  private Integer lastMargin;

  /** What status and metrics show about the configuration. */
  record View(List<Integer> voters, List<Integer> learners, List<Integer> unreachable,
      Integer margin) {
    static final View NONE = new View(List.of(), List.of(), List.of(), null);
  }

  View update(Configuration configuration, Status status) {
    if (configuration == null) {
      return View.NONE; // a protocol with a fixed membership reports none
    }
    boolean leader = status.role() == Role.LEADER;
    List<Integer> unreachable = leader ? EVIDENCE.failed(configuration, status.self()) : List.of();
    Integer margin = leader ? configuration.margin(unreachable.size()) : null;
    if (leader && !Objects.equals(margin, lastMargin)) {
      LOG.log(margin <= 0 ? Level.WARNING : Level.INFO, "event=combining_condition"
          + " replica=" + status.self() + " voters=" + configuration.voters() + " unreachable="
          + unreachable + " margin=" + margin + (margin <= 0 ? " thin=true" : ""));
    }
    lastMargin = margin;
    return new View(configuration.voters(), configuration.learners(), unreachable, margin);
  }
}
