package io.lockstep.order.testing;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A hand-driven cluster of protocol replicas for scripted tests of the classic schemes: messages
 * wait in flight until the test delivers them (all, some, shuffled, duplicated), and time moves
 * only by {@link #tickAll}.
 *
 * @param <C> the protocol's class, so tests can ask it protocol-specific questions
 */
public final class Harness<C extends Coordination> {
  /** A message on its way. */
  public record Flight(int from, int to, ProtocolMessage message) {}

  public final List<Integer> members;
  public final Map<Integer, C> nodes = new HashMap<>();
  public final Map<Integer, List<Ordered>> applied = new HashMap<>();
  public final Map<Integer, List<Ready.ReadGrant>> grants = new HashMap<>();
  public final Map<Integer, List<Ready.Redirect>> redirects = new HashMap<>();
  public final List<Flight> inFlight = new ArrayList<>();
  public final Set<Integer> crashed = new HashSet<>();
  /**
   * Each replica's executor, modelled as the commands it applied in order: a snapshot is their
   * text, one per line, and an installed snapshot replaces them.
   */
  public final Map<Integer, List<String>> state = new HashMap<>();
  private final Map<Integer, Long> appliedThrough = new HashMap<>();
  public long now;
  private java.util.function.Consumer<Flight> arrival = f -> { };
  private long sequence;
  private final Map<Integer, MessageInterceptor> liars = new HashMap<>();
  private final java.util.SplittableRandom liarRandom = new java.util.SplittableRandom(1);

  /** {@code n} replicas 0..n-1, each built by {@code build(id, members)}. */
  public Harness(int n, BiFunction<Integer, List<Integer>, C> build) {
    members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(i);
    }
    for (int id : members) {
      nodes.put(id, build.apply(id, members));
      applied.put(id, new ArrayList<>());
      grants.put(id, new ArrayList<>());
      redirects.put(id, new ArrayList<>());
      state.put(id, new ArrayList<>());
      appliedThrough.put(id, 0L);
    }
  }

  /** A request of client {@code client} with sequence 1. */
  public static Request request(String client, String command) {
    return Request.command(ClientId.of(client), 1, command.getBytes(StandardCharsets.UTF_8));
  }

  /** The next request of client "c". */
  public Request request(String command) {
    return Request.command(ClientId.of("c"), ++sequence, command.getBytes(StandardCharsets.UTF_8));
  }

  /** Steps replica {@code id} (unless crashed) and collects its effects. */
  public void step(int id, Input input) {
    if (crashed.contains(id)) {
      return;
    }
    nodes.get(id).step(input);
    drain(id);
    if (nodes.get(id).wantsSnapshot()) { // as the runtime does: capture right after applying
      byte[] snapshot = String.join("\n", state.get(id)).getBytes(StandardCharsets.UTF_8);
      nodes.get(id).step(new Input.SnapshotTaken(appliedThrough.get(id), snapshot));
      drain(id);
    }
  }

  /**
   * Replica {@code id} restarts with a new core built by {@code build}, its executor empty (what
   * was in flight to or from it is lost, as in {@link #crash}).
   */
  public void restart(int id, BiFunction<Integer, List<Integer>, C> build) {
    crash(id);
    crashed.remove(id);
    nodes.put(id, build.apply(id, members));
    state.put(id, new ArrayList<>());
    appliedThrough.put(id, 0L);
    drain(id);
  }

  /** Collects replica {@code id}'s effects. */
  public void drain(int id) {
    Ready ready = nodes.get(id).ready();
    for (Ready.Outbound m : ready.messages()) {
      MessageInterceptor liar = liars.get(id);
      for (Ready.Outbound sent : liar == null ? List.of(m) : liar.intercept(id, m, liarRandom)) {
        inFlight.add(new Flight(id, sent.to(), sent.message()));
      }
    }
    if (ready.install() != null) {
      String text = new String(ready.install().state(), StandardCharsets.UTF_8);
      state.put(id, new ArrayList<>(text.isEmpty() ? List.of() : List.of(text.split("\n"))));
      appliedThrough.put(id, ready.install().index());
    }
    applied.get(id).addAll(ready.stable());
    for (Ordered o : ready.stable()) {
      state.get(id).add(new String(o.request().command(), StandardCharsets.UTF_8));
      appliedThrough.put(id, o.position());
    }
    grants.get(id).addAll(ready.reads());
    redirects.get(id).addAll(ready.redirects());
  }

  /** Everything replica {@code id} sends from now on passes through {@code liar}. */
  public void lie(int id, MessageInterceptor liar) {
    liars.put(id, liar);
  }

  /** A client hands {@code request} to replica {@code id}. */
  public void propose(int id, Request request) {
    step(id, new Input.Propose(request));
  }

  /** Delivers everything in flight, and what that causes, until nothing is left. */
  public void deliverAll() {
    int guard = 0;
    while (!inFlight.isEmpty()) {
      Flight f = inFlight.remove(0);
      deliver(f);
      if (++guard > 100_000) {
        throw new AssertionError("messages never stop flowing");
      }
    }
  }

  /** Like {@link #deliverAll}, but messages {@code hold} picks go into {@code held} instead. */
  public void deliverAllHolding(java.util.function.Predicate<Flight> hold, List<Flight> held) {
    while (!inFlight.isEmpty()) {
      Flight f = inFlight.remove(0);
      if (hold.test(f)) {
        held.add(f);
      } else {
        deliver(f);
      }
    }
  }

  /**
   * Sees every message as it is delivered, before its receiver steps it (a runtime's
   * pre-check of the signatures it carries).
   */
  public void onArrival(java.util.function.Consumer<Flight> arrival) {
    this.arrival = arrival;
  }

  /** Delivers one message. */
  public void deliver(Flight f) {
    arrival.accept(f);
    step(f.to(), new Input.Receive(f.from(), f.message()));
  }

  /** Takes out every message in flight from {@code from}, undelivered. */
  public List<Flight> holdFrom(int from) {
    List<Flight> held = new ArrayList<>();
    inFlight.removeIf(f -> {
      if (f.from() == from) {
        held.add(f);
        return true;
      }
      return false;
    });
    return held;
  }

  /** Replica {@code id} stops, and what it had in flight is lost. */
  public void crash(int id) {
    crashed.add(id);
    inFlight.removeIf(f -> f.from() == id || f.to() == id);
  }

  /** Advances every live replica's clocks by {@code millis} in steps of {@code stepMillis}. */
  public void tickAll(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      now += stepMillis;
      for (int id : members) {
        step(id, new Input.Tick(now, 1_700_000_000_000L + now));
      }
      deliverAll();
    }
  }

  /**
   * Advances every clock by {@code millis} as {@link #tickAll} does, but replica {@code stalled}'s
   * loop is stalled meanwhile (a pause while it starts, a far overloaded machine): it gets no
   * tick, and what is sent to it waits in {@code queue}. Then its late tick comes, and its queue
   * is delivered after it, as a loop that wakes handles its timer before the backlog.
   */
  public void tickAllStalling(int stalled, long millis, long stepMillis) {
    List<Flight> queue = new ArrayList<>();
    for (long t = 0; t < millis; t += stepMillis) {
      now += stepMillis;
      for (int id : members) {
        if (id != stalled) {
          step(id, new Input.Tick(now, 1_700_000_000_000L + now));
        }
      }
      deliverAllHolding(f -> f.to() == stalled, queue);
    }
    step(stalled, new Input.Tick(now, 1_700_000_000_000L + now));
    queue.forEach(this::deliver);
    deliverAll();
  }

  /** The requests replica {@code id} handed its executor, in order. */
  public List<Request> requestsApplied(int id) {
    return applied.get(id).stream().map(Ordered::request).toList();
  }
}
