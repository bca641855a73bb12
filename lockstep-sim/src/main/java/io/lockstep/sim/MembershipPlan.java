package io.lockstep.sim;

import java.util.Objects;

/**
 * The membership changes of a simulated run (paper §7, S20–S21): voters that fail for good and
 * are replaced from a pool of spares, one after another, while every other fault goes on.
 *
 * @param spares replicas started outside the configuration (ids after the initial voters), which
 *     changes add; each is used at most once
 * @param replacements how many voters fail for good (or are retired while alive, the leader
 *     included) over the run, each replaced by a spare: 3t + 1 shows the cluster outliving more
 *     failures than it tolerates at once
 * @param gapMillis mean simulated time between the end of one replacement and the next failure
 * @param mode who asks for the changes and how they race ({@link Mode})
 * @param unreachableMillis the configurator's bound: a voter silent this long is replaced
 */
public record MembershipPlan(int spares, int replacements, long gapMillis, Mode mode,
    long unreachableMillis) {
  /** No membership changes: the configuration stays the initial one. */
  public static final MembershipPlan NONE =
      new MembershipPlan(0, 0, 1, Mode.CONFIGURATOR, 1);

  /** Who asks for the changes. */
  public enum Mode {
    /** Voters fail for good; the {@link io.lockstep.order.Configurator} replaces them. */
    CONFIGURATOR,
    /**
     * The simulator asks for the add and the remove of each replacement at once, of every
     * running replica; it retires live voters (the leader among them) as often as failed ones,
     * and sometimes adds a second spare first (an even-sized configuration).
     */
    RACING,
    /**
     * No replacements: rounds of the single-server change race across a partition
     * ({@link ChangeRaceNemesis}), from four voters and the spares.
     */
    CHANGE_RACE,
    /**
     * An operator replaces replicas by ordered {@code SetReplicas} commands, one replica out
     * and a spare (or a replica removed earlier) in, each change sent to every replica as a
     * Byzantine client sends ({@link ReplicaSetAdmin}); for PBFT, where no failure detector
     * decides who leaves.
     */
    OPERATOR,
    /**
     * Voters fail for good, as with {@link #CONFIGURATOR}, but the protocol's own configurator
     * replaces them (PBFT's, which orders the change itself once t+1 replicas report a member
     * silent past {@code unreachableMillis}); the simulator only fails voters and follows the
     * configuration the primary counts in.
     */
    PROTOCOL
  }

  /** An operator's replica-set changes for PBFT ({@link Mode#OPERATOR}). */
  public static MembershipPlan operator(int spares, int replacements, long gapMillis) {
    return new MembershipPlan(spares, replacements, gapMillis, Mode.OPERATOR, 1);
  }

  /** Voters that fail for good, replaced by the protocol's own configurator. */
  public static MembershipPlan protocol(int spares, int replacements, long gapMillis,
      long unreachableMillis) {
    return new MembershipPlan(spares, replacements, gapMillis, Mode.PROTOCOL, unreachableMillis);
  }

  /** True when the simulator itself races changes (not the configurator). */
  public boolean racing() {
    return mode == Mode.RACING;
  }

  public MembershipPlan {
    Objects.requireNonNull(mode, "mode");
    if (spares < 0 || replacements < 0 || gapMillis < 1 || unreachableMillis < 1) {
      throw new IllegalArgumentException("spares and replacements must not be negative and the"
          + " gap must be positive, got " + spares + ", " + replacements + ", " + gapMillis);
    }
    if (replacements > spares && mode != Mode.OPERATOR) {
      throw new IllegalArgumentException(replacements + " replacements need as many spares, got "
          + spares);
    }
  }

  /**
   * True if the run fails voters for good and replaces them (every mode but the change race
   * and the operator's).
   */
  public boolean active() {
    return replacements > 0 && mode != Mode.CHANGE_RACE && mode != Mode.OPERATOR;
  }
}
