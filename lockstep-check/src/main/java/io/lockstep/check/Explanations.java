package io.lockstep.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One-line human explanations of a failed or inconclusive search: the smallest window that could
 * not be ordered — the first completion no order explains, the operations concurrent with it, the
 * last ones completed before it, and the values the register could hold while it was pending.
 */
final class Explanations {
  /** At most this many concurrent operations are listed, so the line stays readable. */
  private static final int MAX_CONCURRENT = 8;
  /** How many operations completed before the culprit's invocation are listed. */
  private static final int MAX_BEFORE = 3;

  private Explanations() {}

  static String violation(String key, LinearizationSearch.Violation v, List<RegisterOp> ops) {
    RegisterOp culprit = v.culprit();
    StringBuilder out = new StringBuilder();
    out.append("key ").append(RegisterOp.quote(key)).append(": no order of its operations")
        .append(" explains ").append(culprit.describe())
        .append(" (the history is linearizable up to just before that completion)");
    String never = neverWritten(culprit, ops);
    if (never != null) {
      out.append("; no operation on this key ever writes ").append(never);
    }
    out.append("; while it was pending the register could hold only {")
        .append(v.possibleValues().stream().map(RegisterOp::quote)
            .collect(Collectors.joining(", ")))
        .append(v.morePossibleValues() ? ", ...}" : "}");
    appendWindow(out, culprit, ops);
    return out.toString();
  }

  static String budgetExceeded(
      String key, LinearizationSearch.BudgetExceeded b, long budget, List<RegisterOp> ops) {
    StringBuilder out = new StringBuilder("unknown (search budget exceeded): key ")
        .append(RegisterOp.quote(key)).append(" explored ").append(b.statesExplored())
        .append(" states (budget ").append(budget).append(") over ").append(ops.size())
        .append(" operations");
    if (b.deepest() != null) {
      out.append("; furthest stuck at ").append(b.deepest().describe());
    }
    return out.toString();
  }

  /** The value a read returned or a cas expected, if nothing on the key writes it (quoted). */
  private static String neverWritten(RegisterOp culprit, List<RegisterOp> ops) {
    String observed = switch (culprit.kind()) {
      case READ -> culprit.value();
      case CAS -> culprit.expected();
      default -> null;
    };
    if (observed == null) {
      return null;
    }
    boolean written = ops.stream()
        .anyMatch(op -> op.kind() != RegisterOp.Kind.READ
            && Objects.equals(op.written(), observed));
    return written ? null : RegisterOp.quote(observed);
  }

  private static void appendWindow(StringBuilder out, RegisterOp culprit, List<RegisterOp> ops) {
    List<RegisterOp> concurrent = new ArrayList<>();
    List<RegisterOp> before = new ArrayList<>();
    for (RegisterOp op : ops) {
      if (op.id() == culprit.id()) {
        continue;
      }
      if (returnsBeforeCall(op, culprit)) {
        before.add(op);
      } else if (!returnsBeforeCall(culprit, op)) {
        concurrent.add(op);
      }
    }
    // Completed concurrent operations first, in invocation order; then those with unknown
    // outcome, latest first (old ones stay concurrent with everything and matter least).
    Comparator<RegisterOp> byCall = Comparator.comparingLong(RegisterOp::callTime)
        .thenComparingInt(RegisterOp::callIndex);
    concurrent.sort(Comparator.comparing((RegisterOp op) -> !op.determinate())
        .thenComparing((x, y) -> x.determinate() ? byCall.compare(x, y) : byCall.compare(y, x)));
    before.sort(Comparator.comparingLong(RegisterOp::returnTime)
        .thenComparingInt(RegisterOp::returnIndex));
    appendList(out, "; concurrent: ", concurrent.subList(0,
        Math.min(MAX_CONCURRENT, concurrent.size())), concurrent.size());
    appendList(out, "; completed just before: ",
        before.subList(Math.max(0, before.size() - MAX_BEFORE), before.size()), before.size());
  }

  /** Real-time precedence, events ordered by (time, history index). */
  private static boolean returnsBeforeCall(RegisterOp a, RegisterOp b) {
    return a.returnTime() < b.callTime()
        || a.returnTime() == b.callTime() && a.returnIndex() < b.callIndex();
  }

  private static void appendList(
      StringBuilder out, String label, List<RegisterOp> shown, int total) {
    out.append(label);
    if (shown.isEmpty()) {
      out.append("none");
      return;
    }
    out.append(shown.stream().map(RegisterOp::describe).collect(Collectors.joining(", ")));
    if (total > shown.size()) {
      out.append(" (+").append(total - shown.size()).append(" more)");
    }
  }
}
