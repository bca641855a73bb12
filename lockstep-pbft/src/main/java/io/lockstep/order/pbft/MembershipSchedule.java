package io.lockstep.order.pbft;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Which {@link PbftConfiguration} orders each sequence number, as a replica whose stable
 * checkpoint is h knows it from the executor's replicated configuration in h's state (paper §7,
 * S20: the replica set is replicated state, changed by the ordered system command
 * {@link SystemCommand.SetReplicas} with a stated future position).
 *
 * <p><b>The rule.</b> A change stated for position {@code at} takes effect for the protocol at
 * the <em>boundary</em> E, the last checkpoint whose positions all lie before {@code at}: sequence
 * numbers up to E are ordered by the old configuration, those after E by the new one, and the
 * window above a stable checkpoint ends at the next boundary, so every certificate in a window
 * is counted in one configuration. The executor must state positions at least
 * {@link #requiredDistance} after the change's own, which puts E at least one window past the
 * checkpoint that orders the change. Then every replica whose stable checkpoint is h knows every
 * boundary inside (h, h+L): a change it has not seen was ordered after h, so its boundary is at
 * h+L or later. Two correct replicas at different stable checkpoints therefore compute the same
 * configuration for every sequence number both may order, and the configuration is a function of
 * checkpointed state: a view change, a restart or a state transfer to h leads to the same one.
 *
 * <p>Deterministic and immutable; a new schedule is computed at each stable checkpoint.
 */
public final class MembershipSchedule {
  /** When an ordered change takes effect; only the boundary rule is safe. */
  public enum Rule {
    /** At the last checkpoint before the stated position (the protocol's rule). */
    AT_BOUNDARY,
    /**
     * Test-only: as soon as a stable checkpoint's state holds the change, whatever its stated
     * position. Replicas at different stable checkpoints then disagree on who orders a sequence
     * number, which the tests and the simulator must catch.
     */
    AT_ONCE_FOR_TEST
  }

  private final long stableSeq;
  private final int window;
  private final PbftConfiguration current;
  /** Boundary E → the configuration for the sequence numbers after E, in increasing order. */
  private final TreeMap<Long, PbftConfiguration> later;

  private MembershipSchedule(PbftConfig config, long stableSeq, PbftConfiguration current,
      TreeMap<Long, PbftConfiguration> later) {
    this.stableSeq = stableSeq;
    this.window = config.window();
    this.current = current;
    this.later = later;
  }

  /** The schedule at stable checkpoint {@code stableSeq} whose executor state holds {@code state}. */
  public static MembershipSchedule at(PbftConfig config, long stableSeq,
      ClusterConfiguration state) {
    return at(config, stableSeq, state, Rule.AT_BOUNDARY);
  }

  /**
   * The same under {@code rule}.
   *
   * @throws IllegalStateException if the state holds a replica set below 3t+1: ordering must
   *     have refused it ({@link ReplicaSetRule}), so every replica stops rather than count
   *     certificates that prove nothing
   */
  public static MembershipSchedule at(PbftConfig config, long stableSeq,
      ClusterConfiguration state, Rule rule) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(rule, "rule");
    if (stableSeq < 0 || stableSeq % config.checkpointInterval() != 0) {
      throw new IllegalArgumentException("a stable checkpoint is a multiple of "
          + config.checkpointInterval() + ", got " + stableSeq);
    }
    PbftConfiguration current = state.replicas().isEmpty()
        ? PbftConfiguration.of(config.members(), config.t())
        : configuration(state.replicas(), config.t(), stableSeq);
    TreeMap<Long, PbftConfiguration> later = new TreeMap<>();
    for (PendingChange change : state.pending()) {
      if (!(change.command() instanceof SystemCommand.SetReplicas set)) {
        continue;
      }
      PbftConfiguration next = configuration(set.replicas(), config.t(), stableSeq);
      long boundary = boundary(config, change.at());
      if (rule == Rule.AT_ONCE_FOR_TEST || boundary <= stableSeq) {
        current = next;
        later.clear();
      } else {
        later.tailMap(boundary, false).clear();
        later.put(boundary, next);
      }
    }
    return new MembershipSchedule(config, stableSeq, current, later);
  }

  private static PbftConfiguration configuration(SortedSet<Integer> replicas, int t,
      long stableSeq) {
    if (replicas.size() < 3 * t + 1) {
      throw new IllegalStateException("the replica set ordered before checkpoint " + stableSeq
          + " is invalid: " + PbftConfiguration.belowThreeTPlusOne(replicas, t));
    }
    return PbftConfiguration.of(replicas, t);
  }

  /**
   * The configuration that ordered checkpoint {@code seq} itself (and so signed its votes), read
   * from the state at {@code seq}: the changes whose boundary lies below {@code seq} apply, one
   * whose boundary is {@code seq} does not yet (that state still holds it pending, see
   * {@link #boundary}). {@link #current()} of the schedule at {@code seq} is the configuration
   * <em>after</em> it, which differs exactly when a boundary falls on {@code seq}.
   */
  static PbftConfiguration orderedAt(PbftConfig config, long seq, ClusterConfiguration state,
      Rule rule) {
    PbftConfiguration ordered = state.replicas().isEmpty()
        ? PbftConfiguration.of(config.members(), config.t())
        : configuration(state.replicas(), config.t(), seq);
    for (PendingChange change : state.pending()) {
      if (change.command() instanceof SystemCommand.SetReplicas set
          && (rule == Rule.AT_ONCE_FOR_TEST || boundary(config, change.at()) < seq)) {
        ordered = configuration(set.replicas(), config.t(), seq);
      }
    }
    return ordered;
  }

  /** A schedule at checkpoint 0 with {@code current} and nothing ahead (a recovered replica's). */
  static MembershipSchedule fixed(PbftConfig config, PbftConfiguration current) {
    return new MembershipSchedule(config, 0, current, new TreeMap<>());
  }

  /**
   * The boundary of a change stated for position {@code at}: the last checkpoint whose
   * positions all lie before it. Its state and every earlier one still hold the change as
   * pending, whatever gaps the positions have, so replicas read the same boundary from any of
   * them; a later state may hold it applied, and then its boundary is behind it.
   */
  public static long boundary(PbftConfig config, long at) {
    if (at < 1) {
      throw new IllegalArgumentException("positions start at 1, got " + at);
    }
    long span = (long) config.checkpointInterval() * config.maxBatch();
    return (at - 1) / span * config.checkpointInterval();
  }

  /**
   * The least distance, in positions, between a replica-set change's own position and its
   * stated one: one window of sequence numbers (L · max-batch). It puts the boundary at least
   * L − K sequence numbers past the checkpoint that orders the change, so a replica that has
   * not yet seen the change never orders a sequence number the change concerns.
   */
  public static long requiredDistance(PbftConfig config) {
    return (long) config.window() * config.maxBatch();
  }

  /** The stable checkpoint this schedule was computed at. */
  public long stableSeq() {
    return stableSeq;
  }

  /** The configuration ordering the sequence numbers just above the stable checkpoint. */
  public PbftConfiguration current() {
    return current;
  }

  /**
   * The last sequence number of the window: h + L, or the next boundary if it comes first, so
   * every sequence number a replica orders before its next stable checkpoint belongs to
   * {@link #current()}.
   */
  public long windowEnd() {
    long end = stableSeq + window;
    Long next = later.higherKey(stableSeq);
    return next == null ? end : Math.min(end, next);
  }

  /**
   * The configuration for {@code seq} as far as this replica knows: certain up to h + L (see the
   * class comment); beyond it a change not ordered yet may still intervene.
   */
  public PbftConfiguration forSeq(long seq) {
    if (seq <= stableSeq) {
      throw new IllegalArgumentException("sequence number " + seq + " is at or below the stable"
          + " checkpoint " + stableSeq + ": its certificates are no longer counted");
    }
    PbftConfiguration in = current;
    for (Map.Entry<Long, PbftConfiguration> e : later.headMap(seq, false).entrySet()) {
      in = e.getValue();
    }
    return in;
  }

  /** Boundaries ahead and the configuration after each (for status pages and tests). */
  public Map<Long, PbftConfiguration> upcoming() {
    return Collections.unmodifiableMap(later);
  }
}
