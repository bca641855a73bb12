package io.lockstep.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wing and Gong's linearizability search with Lowe's just-in-time linearization and memoization of
 * (linearized set, register state) — the algorithm of Knossos and Porcupine — for one key's
 * register, with the memo strengthened by subsumption ({@link ExploredConfigurations}).
 *
 * <p>The invocation and return events of determinate operations form a doubly linked list in time
 * order. Walking it, an invocation whose operation is legal in the current state is linearized next
 * (both its events are unlinked, "lifted"), unless that configuration was already explored.
 * Reaching a return whose operation is not yet linearized ends the candidates for "next": the
 * search then tries the indeterminate operations invoked before that return, and if none works,
 * backtracks. Indeterminate operations return at +infinity, so they may be linearized at any point
 * after their invocation or never: the search succeeds once every determinate operation is
 * linearized.
 *
 * <p>Symmetry reduction: indeterminate operations with the same effect (say, two {@code info}
 * deletes) are interchangeable once both are invoked, so they are linearized only in invocation
 * order. Any linearization can be relabelled into that form, because the k-th one placed is placed
 * after k of them were invoked. Partial-order reduction: a read that is legal and callable is
 * linearized at once, without trying its siblings ({@link #forceLegalRead}). Both reductions and
 * the subsumption memo keep the search exact; the brute-force property test checks this.
 */
final class LinearizationSearch {
  /** How many distinct register values to report for the culprit of a violation. */
  private static final int REPORTED_VALUES = 8;

  /** What the search found. */
  sealed interface Outcome {}

  /** Some order of the operations is legal and respects real time. */
  record Linearizable(long statesExplored) implements Outcome {}

  /**
   * No legal order exists. The history up to (not including) {@code culprit}'s return is
   * linearizable; with that return it is not. {@code possibleValues} are the values (null =
   * absent) the register could hold, by some legal order of the other operations, while the
   * culprit was pending (at most {@value #REPORTED_VALUES}; {@code morePossibleValues} if there
   * were more).
   */
  record Violation(RegisterOp culprit, Set<String> possibleValues, boolean morePossibleValues,
                   long statesExplored)
      implements Outcome {}

  /** The budget of explored states ran out before a verdict. */
  record BudgetExceeded(long statesExplored, RegisterOp deepest) implements Outcome {}

  /** One event of a determinate operation in the time-ordered list. */
  private static final class Entry {
    final RegisterOp op;
    final boolean isCall;
    final int position;
    Entry match;
    Entry prev;
    Entry next;

    Entry(RegisterOp op, boolean isCall, int position) {
      this.op = op;
      this.isCall = isCall;
      this.position = position;
    }
  }

  /**
   * Indeterminate operations with one effect, in invocation order; the first {@code linearized}
   * of them are linearized (symmetry reduction). Classes that still have members to linearize
   * are "live" and form a doubly linked list ordered by their first invocation.
   */
  private static final class EffectClass {
    final List<RegisterOp> members = new ArrayList<>();
    int linearized;
    EffectClass prevLive;
    EffectClass nextLive;

    RegisterOp candidate() {
      return members.get(linearized);
    }
  }

  /**
   * A choice to undo when backtracking: the operation linearized, its call entry or (if
   * indeterminate) its class, the first unlinearized return at that point, the state before, and
   * whether it was the only child worth trying ({@link #forceLegalRead}).
   */
  private record Choice(RegisterOp op, Entry call, EffectClass effectClass, Entry stuck,
                        int stateBefore, boolean forced) {}

  /** What an indeterminate operation does; equal effects make operations interchangeable. */
  private record Effect(RegisterOp.Kind kind, int written, int expected) {}

  private final long maxStates;
  private final RegisterValues values;
  private final Entry head = new Entry(null, false, -1);
  /** Sentinel of the live effect classes. */
  private final EffectClass liveClasses = new EffectClass();
  /** Per operation id: position of its invocation among all events. */
  private final int[] callPosition;
  /** Per operation id: its bit in {@link #determinateBits} or {@link #indeterminateBits}. */
  private final int[] bitIndex;
  private final long[] determinateBits;
  private final long[] indeterminateBits;

  private final ExploredConfigurations explored = new ExploredConfigurations();
  private final Deque<Choice> choices = new ArrayDeque<>();
  private int undecided;
  private int state;
  /** Scan position among determinate events. */
  private Entry cursor;
  /** Scan position among live effect classes, or null while scanning determinate events. */
  private EffectClass classCursor;
  /** The first return of an unlinearized operation, where the determinate scan stopped. */
  private Entry stuck;
  private RegisterOp deepest;
  private int deepestPosition = -1;
  /** The (determinate) operation whose possible values are collected, or -1. */
  private final int watched;
  private final Set<String> watchedValues = new LinkedHashSet<>();
  private boolean moreWatchedValues;

  private LinearizationSearch(List<RegisterOp> ops, long maxStates, int watched) {
    int n = ops.size();
    this.watched = watched;
    this.maxStates = maxStates;
    this.values = new RegisterValues(ops);
    this.callPosition = new int[n];
    this.bitIndex = new int[n];
    List<RegisterOp> indeterminate = buildEvents(ops);
    this.undecided = n - indeterminate.size();
    this.determinateBits = new long[(undecided + 63) / 64];
    this.indeterminateBits = new long[(indeterminate.size() + 63) / 64];
    linkEffectClasses(indeterminate);
  }

  /**
   * Searches for a linearization of one key's operations (ids dense from 0), exploring at most
   * {@code maxStates} configurations.
   */
  static Outcome run(List<RegisterOp> ops, long maxStates) {
    Outcome outcome = new LinearizationSearch(ops, maxStates, -1).search();
    if (outcome instanceof Violation v) {
      // The search is deterministic: run it again, now collecting what the culprit could see.
      return new LinearizationSearch(ops, maxStates, v.culprit().id()).search();
    }
    return outcome;
  }

  /**
   * Orders all events by (time, history index), links the determinate ones into the list after
   * {@link #head}, and returns the indeterminate operations in invocation order.
   */
  private List<RegisterOp> buildEvents(List<RegisterOp> ops) {
    record Event(RegisterOp op, boolean isCall, long time, int index) {}
    List<Event> events = new ArrayList<>(2 * ops.size());
    for (RegisterOp op : ops) {
      events.add(new Event(op, true, op.callTime(), op.callIndex()));
      if (op.determinate()) {
        events.add(new Event(op, false, op.returnTime(), op.returnIndex()));
      }
    }
    events.sort(Comparator.comparingLong(Event::time).thenComparingInt(Event::index));
    List<RegisterOp> indeterminateOps = new ArrayList<>();
    Entry[] calls = new Entry[ops.size()];
    Entry last = head;
    int determinate = 0;
    for (int position = 0; position < events.size(); position++) {
      Event e = events.get(position);
      int id = e.op().id();
      if (!e.op().determinate()) {
        callPosition[id] = position;
        bitIndex[id] = indeterminateOps.size();
        indeterminateOps.add(e.op());
        continue;
      }
      Entry entry = new Entry(e.op(), e.isCall(), position);
      if (e.isCall()) {
        callPosition[id] = position;
        bitIndex[id] = determinate++;
        calls[id] = entry;
      } else {
        calls[id].match = entry;
      }
      entry.prev = last;
      last.next = entry;
      last = entry;
    }
    return indeterminateOps;
  }

  /** Groups indeterminate operations (in invocation order) by effect; all classes start live. */
  private void linkEffectClasses(List<RegisterOp> indeterminate) {
    Map<Effect, EffectClass> byEffect = new HashMap<>();
    EffectClass last = liveClasses;
    for (RegisterOp op : indeterminate) {
      Effect effect = new Effect(op.kind(), values.written(op), values.expected(op));
      EffectClass c = byEffect.get(effect);
      if (c == null) {
        c = new EffectClass();
        byEffect.put(effect, c);
        c.prevLive = last;
        last.nextLive = c;
        last = c;
      }
      c.members.add(op);
    }
  }

  /** What one step of the search did. */
  private enum Step {
    /** Moved to a new configuration. */
    LINEARIZED,
    /** Advanced the scan within the current configuration. */
    SCANNED,
    /** The current configuration has no child left to try. */
    EXHAUSTED
  }

  private Outcome search() {
    cursor = head.next;
    boolean fresh = true;
    while (undecided > 0) {
      Step step = fresh ? forceLegalRead()
          : classCursor == null ? scanDeterminate() : scanIndeterminate();
      fresh = step == Step.LINEARIZED;
      if (step == Step.EXHAUSTED) {
        do {
          noteStuck();
          if (choices.isEmpty()) {
            return new Violation(deepest, Collections.unmodifiableSet(watchedValues),
                moreWatchedValues, explored.size());
          }
        } while (backtrack());
      }
      if (explored.size() > maxStates) {
        return new BudgetExceeded(explored.size(), deepest);
      }
    }
    return new Linearizable(explored.size());
  }

  /**
   * Partial-order reduction for reads: a callable read that is legal now can be moved to the
   * front of any way to finish (it changes nothing, and everything that had to precede it
   * already did), so it is linearized at once and its siblings need not be tried. Reports
   * EXHAUSTED if that child was already explored, SCANNED if no callable read is legal.
   */
  private Step forceLegalRead() {
    Entry e = head.next;
    for (; e.isCall; e = e.next) {
      if (e.op.kind() == RegisterOp.Kind.READ && values.step(state, e.op) >= 0) {
        stuck = firstReturnAfter(e);
        noteWatched();
        return tryLinearize(e.op, e, null, true) ? Step.LINEARIZED : Step.EXHAUSTED;
      }
    }
    stuck = e;
    noteWatched();
    return Step.SCANNED;
  }

  /** Collects the state if the watched operation is pending here (invoked, not linearized). */
  private void noteWatched() {
    if (watched < 0 || callPosition[watched] > stuck.position || isLinearized(watched)) {
      return;
    }
    String value = values.value(state);
    if (watchedValues.size() < REPORTED_VALUES) {
      watchedValues.add(value);
    } else if (!watchedValues.contains(value)) {
      moreWatchedValues = true;
    }
  }

  private static Entry firstReturnAfter(Entry e) {
    while (e.isCall) {
      e = e.next;
    }
    return e;
  }

  /** One step of the walk over determinate events (Lowe's just-in-time linearization). */
  private Step scanDeterminate() {
    if (!cursor.isCall) {
      stuck = cursor;
      classCursor = liveClasses;
    } else if (!tryLinearize(cursor.op, cursor, null, false)) {
      cursor = cursor.next;
    } else {
      return Step.LINEARIZED;
    }
    return Step.SCANNED;
  }

  /**
   * Tries, class by class after the cursor, the next indeterminate operation of each effect class
   * if it was invoked before the stuck return.
   *
   * @return LINEARIZED if one was linearized; EXHAUSTED when none is left to try
   */
  private Step scanIndeterminate() {
    for (EffectClass c = classCursor.nextLive; c != null; c = c.nextLive) {
      if (callPosition[c.members.get(0).id()] > stuck.position) {
        return Step.EXHAUSTED;
      }
      classCursor = c;
      RegisterOp op = c.candidate();
      if (callPosition[op.id()] < stuck.position && tryLinearize(op, null, c, false)) {
        return Step.LINEARIZED;
      }
    }
    return Step.EXHAUSTED;
  }

  /** Linearizes op next if the model allows it and the configuration is new; restarts the walk. */
  private boolean tryLinearize(
      RegisterOp op, Entry call, EffectClass effectClass, boolean forced) {
    int next = values.step(state, op);
    if (next < 0) {
      return false;
    }
    flip(op);
    if (!explored.add(determinateBits, indeterminateBits, next)) {
      flip(op);
      return false;
    }
    choices.push(new Choice(op, call, effectClass, stuck, state, forced));
    state = next;
    if (call != null) {
      lift(call);
      undecided--;
    } else if (++effectClass.linearized == effectClass.members.size()) {
      effectClass.prevLive.nextLive = effectClass.nextLive;
      if (effectClass.nextLive != null) {
        effectClass.nextLive.prevLive = effectClass.prevLive;
      }
    }
    cursor = head.next;
    classCursor = null;
    return true;
  }

  /**
   * Undoes the last choice and resumes the scan just after it.
   *
   * @return true if the choice was forced, so the configuration it left is exhausted too
   */
  private boolean backtrack() {
    Choice last = choices.pop();
    state = last.stateBefore();
    flip(last.op());
    stuck = last.stuck();
    if (last.call() != null) {
      unlift(last.call());
      undecided++;
      cursor = last.call().next;
      classCursor = null;
    } else {
      EffectClass c = last.effectClass();
      if (c.linearized-- == c.members.size()) {
        c.prevLive.nextLive = c;
        if (c.nextLive != null) {
          c.nextLive.prevLive = c;
        }
      }
      classCursor = c;
    }
    return last.forced();
  }

  /** Toggles op's bit in the determinate or indeterminate linearized set. */
  private void flip(RegisterOp op) {
    long[] bits = op.determinate() ? determinateBits : indeterminateBits;
    int bit = bitIndex[op.id()];
    bits[bit >>> 6] ^= 1L << bit;
  }

  /** Whether a determinate operation is linearized in the current configuration. */
  private boolean isLinearized(int determinateId) {
    int bit = bitIndex[determinateId];
    return (determinateBits[bit >>> 6] & (1L << bit)) != 0;
  }

  /** Remembers the furthest return the search could not get past. */
  private void noteStuck() {
    if (stuck.position > deepestPosition) {
      deepestPosition = stuck.position;
      deepest = stuck.op;
    }
  }

  /** Unlinks a call and its return (dancing links: they keep their own prev/next pointers). */
  private static void lift(Entry call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  /** Relinks what {@link #lift} unlinked, in reverse order. */
  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    call.next.prev = call;
  }
}
