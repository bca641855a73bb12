package io.lockstep.check;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a client history of a key-value service is linearizable (Herlihy and Wing): every
 * operation appears to take effect atomically at some point between its invocation and its
 * completion, in an order that a single register per key could have produced. This is what the
 * state machine approach promises its clients (paper §1–3: replicas process the same requests in
 * the same order, so the service behaves as one state machine), checked from outside.
 *
 * <p>The model, per key: a register holding either nothing (absent) or a string. A read returns
 * the current value; a write sets it; a cas sets it iff the current value equals
 * {@code expected} (null = absent); a delete makes the key absent. Operations completed
 * {@code fail} did not happen; {@code info} or uncompleted ones may take effect at any point after
 * their invocation or never. Keys are checked independently (linearizability is local).
 *
 * <p>Three verdicts ({@link Verdict}): {@code LINEARIZABLE}, {@code NOT_LINEARIZABLE} (with the
 * key and a one-line explanation naming the first completion that no order can explain), and
 * {@code UNKNOWN} when a state budget was given and ran out. A definite violation on any key wins
 * over an unknown one. The search is exponential in the worst case; with the handful of
 * concurrent clients of a simulation it visits few states per operation.
 */
public final class LinearizabilityChecker {
  private LinearizabilityChecker() {}

  /** The outcome of a check. */
  public enum Verdict {
    /** Some order of every key's operations is legal and respects real time. */
    LINEARIZABLE,
    /** Some key has no such order: a definite bug in the service (or in the recorded history). */
    NOT_LINEARIZABLE,
    /** The search budget ran out on some key before a verdict: nothing is proven either way. */
    UNKNOWN
  }

  /**
   * The result of a check.
   *
   * @param linearizable true only for {@link Verdict#LINEARIZABLE}
   * @param key the key that is not linearizable or whose budget ran out; null when linearizable
   * @param explanation one line for a human: which operations could not be ordered and why, or
   *     {@code "unknown (search budget exceeded): ..."}, or a summary of what was checked
   * @param verdict the three-valued outcome
   */
  public record Result(boolean linearizable, String key, String explanation, Verdict verdict) {
    public Result {
      Objects.requireNonNull(explanation, "explanation");
      Objects.requireNonNull(verdict, "verdict");
      if (linearizable != (verdict == Verdict.LINEARIZABLE)) {
        throw new IllegalArgumentException(
            "linearizable=" + linearizable + " contradicts verdict " + verdict);
      }
    }

    /** A definite result: {@code LINEARIZABLE} if {@code linearizable}, else NOT_LINEARIZABLE. */
    public Result(boolean linearizable, String key, String explanation) {
      this(linearizable, key, explanation,
          linearizable ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
    }

    /** True when the budget ran out before a verdict. */
    public boolean unknown() {
      return verdict == Verdict.UNKNOWN;
    }
  }

  /** Checks the whole history, without a bound on the search. */
  public static Result check(History history) {
    return check(history, Long.MAX_VALUE);
  }

  /**
   * Checks the whole history, exploring at most {@code maxStatesPerKey} (linearized set, value)
   * configurations per key; past that the key's verdict is {@link Verdict#UNKNOWN}.
   *
   * @throws IllegalArgumentException if {@code maxStatesPerKey < 1}
   */
  public static Result check(History history, long maxStatesPerKey) {
    Objects.requireNonNull(history, "history");
    if (maxStatesPerKey < 1) {
      throw new IllegalArgumentException("maxStatesPerKey must be at least 1, was "
          + maxStatesPerKey);
    }
    Map<String, List<RegisterOp>> byKey = KeyedOps.split(history);
    Result unknown = null;
    long states = 0;
    int ops = 0;
    for (Map.Entry<String, List<RegisterOp>> e : byKey.entrySet()) {
      LinearizationSearch.Outcome outcome = LinearizationSearch.run(e.getValue(), maxStatesPerKey);
      if (outcome instanceof LinearizationSearch.Violation v) {
        return new Result(false, e.getKey(), Explanations.violation(e.getKey(), v, e.getValue()));
      }
      if (outcome instanceof LinearizationSearch.BudgetExceeded b && unknown == null) {
        unknown = new Result(false, e.getKey(),
            Explanations.budgetExceeded(e.getKey(), b, maxStatesPerKey, e.getValue()),
            Verdict.UNKNOWN);
      }
      if (outcome instanceof LinearizationSearch.Linearizable l) {
        states += l.statesExplored();
      }
      ops += e.getValue().size();
    }
    if (unknown != null) {
      return unknown;
    }
    return new Result(true, null, "linearizable: " + byKey.size() + " keys, " + ops
        + " operations that may have taken effect, " + states + " states explored");
  }
}
