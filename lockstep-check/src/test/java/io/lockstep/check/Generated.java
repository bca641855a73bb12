package io.lockstep.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Test helper: histories generated from real executions of the register model, so they are
 * linearizable by construction. Each operation gets an interval [call, ret] and a linearization
 * point strictly inside it; the model is applied in linearization-point order to decide what each
 * operation returns.
 */
final class Generated {
  private Generated() {}

  /** A planned operation: its interval, linearization point and outcome. */
  private static final class Planned {
    Op invoke;
    long ret;
    long point;
    boolean info;
    boolean infoTakesEffect;
    Op completion;
  }

  /**
   * A linearizable concurrent history.
   *
   * @param processes concurrent client slots
   * @param opsPerProcess operations per slot
   * @param keys number of keys ("k0", "k1", ...)
   * @param infoRate probability that an operation's outcome is unknown to its client (it then
   *     takes effect or not with equal probability, and the slot continues as a new process)
   */
  static History linearizable(
      SplittableRandom rnd, int processes, int opsPerProcess, int keys, double infoRate) {
    List<Planned> plan = new ArrayList<>();
    Map<String, List<String>> writtenPerKey = new HashMap<>();
    int nextProcess = processes;
    int nextValue = 0;
    for (int slot = 0; slot < processes; slot++) {
      int process = slot;
      long t = rnd.nextLong(1_000);
      for (int j = 0; j < opsPerProcess; j++) {
        long call = t + rnd.nextLong(2_000);
        long ret = call + 2 + rnd.nextLong(5_000);
        String key = "k" + rnd.nextInt(keys);
        Planned p = new Planned();
        p.invoke = randomInvoke(rnd, process, key, "v" + nextValue++, call,
            writtenPerKey.computeIfAbsent(key, k -> new ArrayList<>()));
        p.ret = ret;
        p.point = call + 1 + rnd.nextLong(ret - call - 1);
        p.info = rnd.nextDouble() < infoRate;
        p.infoTakesEffect = rnd.nextBoolean();
        plan.add(p);
        if (p.info) {
          process = nextProcess++;
        }
        t = ret;
      }
    }
    execute(plan);
    return toHistory(plan);
  }

  private static Op randomInvoke(
      SplittableRandom rnd, int process, String key, String fresh, long call,
      List<String> written) {
    int dice = rnd.nextInt(10);
    if (dice < 4) {
      return Op.read(process, key, call);
    }
    if (dice < 7 || written.isEmpty()) {
      written.add(fresh);
      return Op.write(process, key, fresh, call);
    }
    if (dice < 9) {
      // Expect one of the last few values written, or absence: some cas succeed, some fail.
      String expected = rnd.nextInt(5) == 0 ? null
          : written.get(Math.max(0, written.size() - 1 - rnd.nextInt(3)));
      written.add(fresh);
      return Op.cas(process, key, expected, fresh, call);
    }
    return Op.delete(process, key, call);
  }

  /** Applies the model in linearization-point order and records each outcome. */
  private static void execute(List<Planned> plan) {
    List<Planned> byPoint = new ArrayList<>(plan);
    byPoint.sort(Comparator.comparingLong(p -> p.point));
    Map<String, String> register = new HashMap<>();
    for (Planned p : byPoint) {
      Op in = p.invoke;
      boolean takesEffect = !p.info || p.infoTakesEffect;
      String current = register.get(in.key());
      switch (in.f()) {
        case "read" -> p.completion = in.completeRead(current, p.ret);
        case "write" -> {
          if (takesEffect) {
            register.put(in.key(), in.value());
          }
          p.completion = in.completeOk(p.ret);
        }
        case "cas" -> {
          boolean swaps = Objects.equals(current, in.expected());
          if (swaps && takesEffect) {
            register.put(in.key(), in.value());
          }
          p.completion = swaps ? in.completeOk(p.ret) : in.completeFail(p.ret);
        }
        default -> {
          if (takesEffect) {
            register.remove(in.key());
          }
          p.completion = in.completeOk(p.ret);
        }
      }
      if (p.info) {
        p.completion = in.completeInfo(p.ret);
      }
    }
  }

  private static History toHistory(List<Planned> plan) {
    record Event(Op op, long time, int order) {}
    List<Event> events = new ArrayList<>();
    for (Planned p : plan) {
      events.add(new Event(p.invoke, p.invoke.time(), events.size()));
      events.add(new Event(p.completion, p.completion.time(), events.size()));
    }
    events.sort(Comparator.comparingLong(Event::time).thenComparingInt(Event::order));
    History h = new History();
    events.forEach(e -> h.add(e.op()));
    return h;
  }

  /** The same history with the {@code n}-th ok read (mod the number of reads) returning
   * {@code value}; returns null if the history has no ok read. */
  static History withReadValue(History h, int n, String value) {
    List<Integer> reads = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      Op op = h.ops().get(i);
      if (op.f().equals("read") && op.type() == Op.Type.OK) {
        reads.add(i);
      }
    }
    if (reads.isEmpty()) {
      return null;
    }
    int target = reads.get(Math.floorMod(n, reads.size()));
    History out = new History();
    for (int i = 0; i < h.size(); i++) {
      Op op = h.ops().get(i);
      out.add(i == target ? new Op(op.process(), op.type(), op.f(), op.key(), value, null,
          op.time()) : op);
    }
    return out;
  }

  /** The key of the {@code n}-th ok read (mod the number of reads). */
  static String readKey(History h, int n) {
    List<Op> reads = h.ops().stream()
        .filter(op -> op.f().equals("read") && op.type() == Op.Type.OK).toList();
    return reads.get(Math.floorMod(n, reads.size())).key();
  }
}
