package io.lockstep.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The operations behind a "not linearizable" verdict, as invocations from the history, for tools
 * that show them (the timeline highlights them): the culprit — the first completion no order
 * explains — and every operation on its key concurrent with it, the window the checker's
 * explanation describes.
 *
 * @param key the key that is not linearizable
 * @param culprit the culprit's invocation
 * @param concurrent the invocations of the operations on {@code key} concurrent with it
 */
public record ViolationWindow(String key, Op culprit, List<Op> concurrent) {
  public ViolationWindow {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(culprit, "culprit");
    concurrent = List.copyOf(concurrent);
  }

  /**
   * Runs the same search as {@link LinearizabilityChecker#check(History, long)} and returns the
   * window of the first key with a definite violation; empty when every key is linearizable or
   * unknown within the budget.
   */
  public static Optional<ViolationWindow> find(History history, long maxStatesPerKey) {
    Objects.requireNonNull(history, "history");
    for (Map.Entry<String, List<RegisterOp>> e : KeyedOps.split(history).entrySet()) {
      LinearizationSearch.Outcome outcome = LinearizationSearch.run(e.getValue(), maxStatesPerKey);
      if (outcome instanceof LinearizationSearch.Violation v) {
        return Optional.of(window(history, e.getKey(), v.culprit(), e.getValue()));
      }
    }
    return Optional.empty();
  }

  private static ViolationWindow window(History history, String key, RegisterOp culprit,
      List<RegisterOp> ops) {
    List<Op> concurrent = new ArrayList<>();
    for (RegisterOp op : ops) {
      boolean before = op.returnTime() < culprit.callTime()
          || op.returnTime() == culprit.callTime() && op.returnIndex() < culprit.callIndex();
      boolean after = culprit.returnTime() < op.callTime()
          || culprit.returnTime() == op.callTime() && culprit.returnIndex() < op.callIndex();
      if (op.id() != culprit.id() && !before && !after) {
        concurrent.add(history.ops().get(op.callIndex()));
      }
    }
    return new ViolationWindow(key, history.ops().get(culprit.callIndex()), concurrent);
  }
}
