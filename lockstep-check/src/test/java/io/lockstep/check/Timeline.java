package io.lockstep.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Test helper: describe operations as intervals [call, ret] and get a {@link History} whose events
 * are in time order (events at equal times keep the order they were described in).
 */
final class Timeline {
  /** Marks an operation whose completion is {@code info} (outcome unknown). */
  static final long INFO = -1;
  /** Marks an operation that never completes. */
  static final long PENDING = -2;

  private record Event(Op op, long order) {}

  private final List<Event> events = new ArrayList<>();
  private long order;

  Timeline write(int p, String key, String value, long call, long ret) {
    return add(Op.write(p, key, value, call), ret, null, false);
  }

  Timeline failedWrite(int p, String key, String value, long call, long ret) {
    return add(Op.write(p, key, value, call), ret, null, true);
  }

  Timeline read(int p, String key, String value, long call, long ret) {
    return add(Op.read(p, key, call), ret, value, false);
  }

  Timeline cas(int p, String key, String expected, String value, long call, long ret) {
    return add(Op.cas(p, key, expected, value, call), ret, null, false);
  }

  Timeline failedCas(int p, String key, String expected, String value, long call, long ret) {
    return add(Op.cas(p, key, expected, value, call), ret, null, true);
  }

  Timeline delete(int p, String key, long call, long ret) {
    return add(Op.delete(p, key, call), ret, null, false);
  }

  private Timeline add(Op invoke, long ret, String readValue, boolean failed) {
    events.add(new Event(invoke, order++));
    if (ret == PENDING) {
      return this;
    }
    Op completion;
    if (ret == INFO) {
      completion = invoke.completeInfo(invoke.time());
    } else if (failed) {
      completion = invoke.completeFail(ret);
    } else if (invoke.f().equals("read")) {
      completion = invoke.completeRead(readValue, ret);
    } else {
      completion = invoke.completeOk(ret);
    }
    events.add(new Event(completion, ret == INFO ? Long.MAX_VALUE : order++));
    return this;
  }

  /** The events sorted by time; info completions last (they are recorded when clients give up). */
  History history() {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong((Event e) -> e.order() == Long.MAX_VALUE
            ? Long.MAX_VALUE : e.op().time())
        .thenComparingLong(Event::order));
    History h = new History();
    sorted.forEach(e -> h.add(e.op()));
    return h;
  }

  LinearizabilityChecker.Result check() {
    return LinearizabilityChecker.check(history());
  }
}
