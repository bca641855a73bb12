package io.lockstep.order.raft;

import io.lockstep.order.Input;
import io.lockstep.order.raft.Cluster.Envelope;
import io.lockstep.order.raft.Cluster.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The wire of a {@link Cluster}: one FIFO queue of the messages in flight, which tests may
 * inspect, drop from or reorder, and the network faults they inject: links cut one way, a rule
 * that drops the messages it matches and one that rewrites them. Delivering a message steps
 * its receiver through the cluster, so the messages that causes join the end of the queue.
 *
 * <p>Separate from the cluster's nodes and clocks because what reaches a node, and in which
 * order, is the one thing tests vary most; it is chosen here alone and deterministically.
 */
final class Network {
  private final Cluster cluster;
  private final ArrayDeque<Envelope> inFlight = new ArrayDeque<>();
  private final Set<Long> cuts = new HashSet<>();
  private Predicate<Envelope> dropRule = e -> false;
  private UnaryOperator<Envelope> rewrite = e -> e;
  private long delivered;

  Network(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Puts a message a node sent at the end of the queue. */
  void send(Envelope envelope) {
    inFlight.add(envelope);
  }

  /** Puts messages a node sent at the end of the queue, in their order. */
  void sendAll(List<Envelope> envelopes) {
    inFlight.addAll(envelopes);
  }

  /** A crashed node's messages, to it and from it, are lost. */
  void dropTouching(int id) {
    inFlight.removeIf(e -> e.to() == id || e.from() == id);
  }

  /** Delivers queued messages (and those they cause) until none is left; returns the count. */
  int deliverAll() {
    int count = 0;
    while (!inFlight.isEmpty()) {
      deliver(inFlight.poll());
      count++;
      if (count > 1_000_000) {
        throw new AssertionError("message storm");
      }
    }
    return count;
  }

  /** Delivers exactly the messages queued now, not those they cause. */
  void deliverQueued() {
    int n = inFlight.size();
    for (int i = 0; i < n && !inFlight.isEmpty(); i++) {
      deliver(inFlight.poll());
    }
  }

  void deliver(Envelope envelope) {
    if (cuts.contains(link(envelope.from(), envelope.to())) || dropRule.test(envelope)) {
      return;
    }
    Envelope e = rewrite.apply(envelope);
    if (e == null) {
      return;
    }
    delivered++;
    cluster.step(e.to(), new Input.Receive(e.from(), e.message()));
  }

  /**
   * Delivers {@code envelopes} as a runtime loop that drains its queue does: each node is
   * stepped with all of its messages, in order, and then carries out a single Ready.
   */
  void deliverCoalesced(List<Envelope> envelopes) {
    Map<Integer, List<Input>> byNode = new TreeMap<>();
    for (Envelope envelope : envelopes) {
      if (cuts.contains(link(envelope.from(), envelope.to())) || dropRule.test(envelope)) {
        continue;
      }
      Envelope e = rewrite.apply(envelope);
      if (e != null) {
        delivered++;
        byNode.computeIfAbsent(e.to(), k -> new ArrayList<>())
            .add(new Input.Receive(e.from(), e.message()));
      }
    }
    byNode.forEach(cluster::stepAll);
  }

  /** The messages in flight, for tests that inspect, drop or reorder them. */
  ArrayDeque<Envelope> inFlight() {
    return inFlight;
  }

  List<Envelope> takeInFlight() {
    List<Envelope> all = new ArrayList<>(inFlight);
    inFlight.clear();
    return all;
  }

  void dropWhen(Predicate<Envelope> rule) {
    dropRule = rule;
  }

  void rewriteWith(UnaryOperator<Envelope> rule) {
    rewrite = rule;
  }

  void cut(int from, int to) {
    cuts.add(link(from, to));
  }

  void cutBoth(int a, int b) {
    cut(a, b);
    cut(b, a);
  }

  /** Cuts every link to and from {@code id}. */
  void isolate(int id) {
    for (Node other : cluster.nodes()) {
      if (other.id != id) {
        cutBoth(id, other.id);
      }
    }
  }

  /** Splits the cluster into the given side and the rest. */
  void partition(Set<Integer> side) {
    for (Node a : cluster.nodes()) {
      for (Node b : cluster.nodes()) {
        if (side.contains(a.id) != side.contains(b.id)) {
          cut(a.id, b.id);
        }
      }
    }
  }

  void heal() {
    cuts.clear();
    dropRule = e -> false;
    rewrite = e -> e;
  }

  long delivered() {
    return delivered;
  }

  private static long link(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }
}
