package io.lockstep.sim;

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
 * @param racing false: voters fail for good and the {@link io.lockstep.order.Configurator} on
 *     the leader notices and replaces them; true: the simulator itself asks for the add and the
 *     remove of each replacement at once, of every running replica, retires live voters (the
 *     leader among them) as often as failed ones, and sometimes adds a second spare first (an
 *     even-sized configuration), so that changes race each other and leader changes
 * @param unreachableMillis the configurator's bound: a voter silent this long is replaced
 */
public record MembershipPlan(int spares, int replacements, long gapMillis, boolean racing,
    long unreachableMillis) {
  /** No membership changes: the configuration stays the initial one. */
  public static final MembershipPlan NONE = new MembershipPlan(0, 0, 1, false, 1);

  public MembershipPlan {
    if (spares < 0 || replacements < 0 || gapMillis < 1 || unreachableMillis < 1) {
      throw new IllegalArgumentException("spares and replacements must not be negative and the"
          + " gap must be positive, got " + spares + ", " + replacements + ", " + gapMillis);
    }
    if (replacements > spares) {
      throw new IllegalArgumentException(replacements + " replacements need as many spares, got "
          + spares);
    }
  }

  /** True if the run changes membership at all. */
  public boolean active() {
    return replacements > 0;
  }
}
