package io.lockstep.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Test oracle: linearizability decided by the definition, by trying every order of every subset of
 * operations, with one map for all keys (so it checks the checker's per-key decomposition too).
 * Exponential: only for histories of a handful of operations, with events listed in time order.
 */
final class BruteForce {
  private BruteForce() {}

  /** An operation as the definition sees it; {@code optional} when its outcome is unknown. */
  private record Call(Op invoke, int invokeIndex, Op completion, int completionIndex,
                      boolean optional) {}

  static boolean linearizable(History h) {
    List<Call> calls = calls(h);
    return search(calls, new boolean[calls.size()], new HashMap<>());
  }

  private static List<Call> calls(History h) {
    List<Op> ops = h.ops();
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op in = ops.get(i);
      if (!in.isInvoke()) {
        continue;
      }
      int j = i + 1;
      while (j < ops.size() && ops.get(j).process() != in.process()) {
        j++;
      }
      Op done = j < ops.size() ? ops.get(j) : null;
      if (done != null && done.type() == Op.Type.FAIL) {
        continue;
      }
      boolean optional = done == null || done.type() == Op.Type.INFO;
      calls.add(new Call(in, i, done, optional ? Integer.MAX_VALUE : j, optional));
    }
    return calls;
  }

  private static boolean search(List<Call> calls, boolean[] done, Map<String, String> state) {
    if (allRequiredDone(calls, done)) {
      return true;
    }
    for (int i = 0; i < calls.size(); i++) {
      if (done[i] || mustWait(calls, done, i)) {
        continue;
      }
      Call c = calls.get(i);
      String before = state.get(c.invoke().key());
      if (!apply(c, state)) {
        continue;
      }
      done[i] = true;
      if (search(calls, done, state)) {
        return true;
      }
      done[i] = false;
      state.put(c.invoke().key(), before);
    }
    return false;
  }

  private static boolean allRequiredDone(List<Call> calls, boolean[] done) {
    for (int i = 0; i < calls.size(); i++) {
      if (!done[i] && !calls.get(i).optional()) {
        return false;
      }
    }
    return true;
  }

  /** Real-time order: i cannot go next while some required call completed before i began. */
  private static boolean mustWait(List<Call> calls, boolean[] done, int i) {
    for (int j = 0; j < calls.size(); j++) {
      if (!done[j] && j != i && calls.get(j).completionIndex() < calls.get(i).invokeIndex()) {
        return true;
      }
    }
    return false;
  }

  /** Applies the call to the map if the model allows what the client saw. */
  private static boolean apply(Call c, Map<String, String> state) {
    Op in = c.invoke();
    String current = state.get(in.key());
    switch (in.f()) {
      case "read" -> {
        return c.optional() || Objects.equals(current, c.completion().value());
      }
      case "write" -> state.put(in.key(), in.value());
      case "cas" -> {
        if (!Objects.equals(current, in.expected())) {
          return false;
        }
        state.put(in.key(), in.value());
      }
      default -> state.put(in.key(), null);
    }
    return true;
  }

  /**
   * Up to 7 operations by distinct processes on 2 keys with 2 values, some never completed or
   * completed info or fail: many near misses.
   */
  static History randomSmallHistory(SplittableRandom rnd) {
    record Event(Op op, long time, int order) {}
    List<Event> events = new ArrayList<>();
    int n = 1 + rnd.nextInt(7);
    // Half the histories are rich in unknown outcomes, which the search treats specially.
    int okBelow = rnd.nextBoolean() ? 14 : 8;
    String[] values = {"a", "b"};
    for (int p = 0; p < n; p++) {
      String key = rnd.nextInt(3) == 0 ? "y" : "x";
      long call = rnd.nextInt(12);
      long ret = call + rnd.nextInt(7);
      String v = values[rnd.nextInt(2)];
      String maybe = rnd.nextInt(3) == 0 ? null : values[rnd.nextInt(2)];
      Op in = switch (rnd.nextInt(5)) {
        case 0, 1 -> Op.read(p, key, call);
        case 2 -> Op.write(p, key, v, call);
        case 3 -> Op.cas(p, key, maybe, v, call);
        default -> Op.delete(p, key, call);
      };
      int outcome = rnd.nextInt(20);
      Op done = outcome < okBelow ? (in.f().equals("read") ? in.completeRead(maybe, ret)
          : in.completeOk(ret))
          : outcome < 17 ? in.completeInfo(ret) : outcome < 19 ? in.completeFail(ret) : null;
      events.add(new Event(in, call, 2 * p));
      if (done != null) {
        events.add(new Event(done, ret, 2 * p + 1));
      }
    }
    events.sort(Comparator.comparingLong(Event::time).thenComparingInt(Event::order));
    History h = new History();
    events.forEach(e -> h.add(e.op()));
    return h;
  }
}
