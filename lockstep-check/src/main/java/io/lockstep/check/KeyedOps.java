package io.lockstep.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a history into one list of {@link RegisterOp} per key (the register model is local per
 * key, so linearizability is checked key by key — Herlihy and Wing's locality).
 *
 * <p>Pairing and dropping rules: an invocation is paired with the next completion of its process;
 * a {@code fail} did not happen and is dropped; an {@code info} or missing completion makes the
 * operation indeterminate; an indeterminate read constrains nothing and is dropped.
 */
final class KeyedOps {
  private KeyedOps() {}

  /** Per-key operations, keys in order of first invocation; ids are dense per key. */
  static Map<String, List<RegisterOp>> split(History history) {
    List<Op> ops = history.ops();
    Map<String, List<RegisterOp>> byKey = new LinkedHashMap<>();
    Map<Integer, Integer> outstanding = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op.isInvoke()) {
        outstanding.put(op.process(), i);
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>());
      } else {
        Integer invokeIndex = outstanding.remove(op.process());
        if (invokeIndex == null) {
          throw new IllegalStateException(
              "History admitted a completion without invocation: " + op);
        }
        pair(ops.get(invokeIndex), invokeIndex, op, i, byKey);
      }
    }
    outstanding.values().stream().sorted()
        .forEach(index -> pair(ops.get(index), index, null, -1, byKey));
    byKey.replaceAll((key, list) -> withDenseIds(pruneUnobservedIndeterminate(list)));
    return byKey;
  }

  private static void pair(
      Op invoke, int invokeIndex, Op completion, int completionIndex,
      Map<String, List<RegisterOp>> byKey) {
    RegisterOp.Kind kind = RegisterOp.Kind.of(invoke.f());
    boolean indeterminate = completion == null || completion.type() == Op.Type.INFO;
    if (completion != null && completion.type() == Op.Type.FAIL
        || indeterminate && kind == RegisterOp.Kind.READ) {
      return;
    }
    String value = kind == RegisterOp.Kind.READ ? completion.value() : invoke.value();
    long returnTime = indeterminate ? Long.MAX_VALUE : completion.time();
    int returnIndex = indeterminate ? Integer.MAX_VALUE : completionIndex;
    byKey.get(invoke.key()).add(new RegisterOp(-1, invoke.process(), kind, value,
        invoke.expected(), invoke.time(), invokeIndex, returnTime, returnIndex));
  }

  /**
   * Drops indeterminate writes, cas and deletes whose resulting value nothing observes (no read
   * returns it, no cas expects it). This never changes the verdict: in any linearization that
   * contains such an operation, the next operation that depends on the register's value must be
   * an overwrite (a read or cas would observe the unobserved value), so removing it leaves a
   * linearization; and an indeterminate operation may always be left out. It matters because
   * every indeterminate operation otherwise doubles the states the search may visit, and clients
   * that time out leave many of them.
   */
  static List<RegisterOp> pruneUnobservedIndeterminate(List<RegisterOp> ops) {
    List<RegisterOp> kept = ops;
    while (true) {
      Set<String> observed = new HashSet<>();
      for (RegisterOp op : kept) {
        switch (op.kind()) {
          case READ -> observed.add(op.value());
          case CAS -> observed.add(op.expected());
          default -> { }
        }
      }
      List<RegisterOp> next = new ArrayList<>(kept.size());
      for (RegisterOp op : kept) {
        if (op.determinate() || observed.contains(op.written())) {
          next.add(op);
        }
      }
      if (next.size() == kept.size()) {
        return kept;
      }
      kept = next;
    }
  }

  private static List<RegisterOp> withDenseIds(List<RegisterOp> ops) {
    List<RegisterOp> out = new ArrayList<>(ops.size());
    for (RegisterOp op : ops) {
      out.add(op.withId(out.size()));
    }
    return out;
  }
}
