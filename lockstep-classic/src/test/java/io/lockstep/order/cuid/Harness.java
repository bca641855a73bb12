package io.lockstep.order.cuid;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-driven cluster of replica-uid replicas for scripted tests: messages wait in flight
 * until the test delivers them (all, some, shuffled, duplicated), and time moves only by
 * {@link #tickAll}.
 */
final class Harness {
  /** A message on its way. */
  record Flight(int from, int to, ProtocolMessage message) {}

  final List<Integer> members;
  final Map<Integer, CandidateOrder> nodes = new HashMap<>();
  final Map<Integer, List<Ordered>> applied = new HashMap<>();
  final Map<Integer, List<Ready.ReadGrant>> grants = new HashMap<>();
  final Map<Integer, List<Ready.Redirect>> redirects = new HashMap<>();
  final List<Flight> inFlight = new ArrayList<>();
  final Set<Integer> crashed = new HashSet<>();
  long now;
  private long sequence;

  Harness(int n, boolean quiescence) {
    members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(i);
    }
    for (int id : members) {
      nodes.put(id, new CandidateOrder(StampedConfig.defaults(id, members), Recovered.EMPTY,
          quiescence));
      applied.put(id, new ArrayList<>());
      grants.put(id, new ArrayList<>());
      redirects.put(id, new ArrayList<>());
    }
  }

  static Harness started(int n, boolean quiescence) {
    Harness h = new Harness(n, quiescence);
    h.tickAll(1, 1);
    return h;
  }

  static Request request(String client, String command) {
    return Request.command(ClientId.of(client), 1, command.getBytes(StandardCharsets.UTF_8));
  }

  Request request(String command) {
    return Request.command(ClientId.of("c"), ++sequence, command.getBytes(StandardCharsets.UTF_8));
  }

  void step(int id, Input input) {
    if (crashed.contains(id)) {
      return;
    }
    nodes.get(id).step(input);
    drain(id);
  }

  void drain(int id) {
    Ready ready = nodes.get(id).ready();
    for (Ready.Outbound m : ready.messages()) {
      inFlight.add(new Flight(id, m.to(), m.message()));
    }
    applied.get(id).addAll(ready.stable());
    grants.get(id).addAll(ready.reads());
    redirects.get(id).addAll(ready.redirects());
  }

  void propose(int id, Request request) {
    step(id, new Input.Propose(request));
  }

  /** Delivers everything in flight, and what that causes, until nothing is left. */
  void deliverAll() {
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
  void deliverAllHolding(java.util.function.Predicate<Flight> hold, List<Flight> held) {
    while (!inFlight.isEmpty()) {
      Flight f = inFlight.remove(0);
      if (hold.test(f)) {
        held.add(f);
      } else {
        deliver(f);
      }
    }
  }

  void deliver(Flight f) {
    step(f.to(), new Input.Receive(f.from(), f.message()));
  }

  /** Takes out every message in flight from {@code from}, undelivered. */
  List<Flight> holdFrom(int from) {
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

  void crash(int id) {
    crashed.add(id);
    inFlight.removeIf(f -> f.from() == id || f.to() == id);
  }

  /** Advances every live replica's clocks by {@code millis} in steps of {@code stepMillis}. */
  void tickAll(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      now += stepMillis;
      for (int id : members) {
        step(id, new Input.Tick(now, 1_700_000_000_000L + now));
      }
      deliverAll();
    }
  }

  List<Request> requestsApplied(int id) {
    return applied.get(id).stream().map(Ordered::request).toList();
  }
}
