package io.lockstep.sim;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which links a network partition cuts (the partition shapes that broke real replicated systems).
 * Replica links are directed: {@link #blocks(int, int)} says whether a message from {@code from} to
 * {@code to} is lost. Only {@link ClientsCut} separates clients from replicas; under every other
 * shape clients reach every replica, so an isolated leader keeps hearing from clients (the
 * stale-read scenario).
 */
public sealed interface Partition {
  /** True when messages from {@code from} to {@code to} are dropped. */
  boolean blocks(int from, int to);

  /** True when messages between clients and {@code replica}, either way, are dropped. */
  default boolean cutsClientsFrom(int replica) {
    return false;
  }

  /** Canonical description for the trace. */
  String describe();

  /** Every link works. */
  record None() implements Partition {
    @Override
    public boolean blocks(int from, int to) {
      return false;
    }

    @Override
    public String describe() {
      return "none";
    }
  }

  /**
   * Symmetric split: {@code side} and the rest cannot talk in either direction. Isolating the
   * current leader is a split whose side is just the leader.
   */
  record Split(Set<Integer> side) implements Partition {
    public Split {
      side = Set.copyOf(side);
    }

    @Override
    public boolean blocks(int from, int to) {
      return side.contains(from) != side.contains(to);
    }

    @Override
    public String describe() {
      return "split" + new TreeSet<>(side);
    }
  }

  /** One-way partition: messages from {@code senders} to {@code receivers} are lost. */
  record OneWay(Set<Integer> senders, Set<Integer> receivers) implements Partition {
    public OneWay {
      senders = Set.copyOf(senders);
      receivers = Set.copyOf(receivers);
    }

    @Override
    public boolean blocks(int from, int to) {
      return senders.contains(from) && receivers.contains(to);
    }

    @Override
    public String describe() {
      return "oneway" + new TreeSet<>(senders) + "->" + new TreeSet<>(receivers);
    }
  }

  /**
   * Bridge (non-transitive) partition: {@code left} and {@code right} cannot talk to each other but
   * both talk to {@code bridge} (A–B–C with A and C cut, which caused split brain in real systems).
   */
  record Bridge(Set<Integer> left, int bridge, Set<Integer> right) implements Partition {
    public Bridge {
      left = Set.copyOf(left);
      right = Set.copyOf(right);
      if (left.contains(bridge) || right.contains(bridge)) {
        throw new IllegalArgumentException("the bridge " + bridge + " must be on neither side");
      }
    }

    @Override
    public boolean blocks(int from, int to) {
      return (left.contains(from) && right.contains(to))
          || (right.contains(from) && left.contains(to));
    }

    @Override
    public String describe() {
      return "bridge" + new TreeSet<>(left) + "-" + bridge + "-" + new TreeSet<>(right);
    }
  }

  /**
   * Clients cannot reach {@code unreachable} (nor hear from them), while replicas still talk to
   * each other: clients that sit on the minority side, or a leader only replicas can reach.
   */
  record ClientsCut(Set<Integer> unreachable) implements Partition {
    public ClientsCut {
      unreachable = Set.copyOf(unreachable);
    }

    @Override
    public boolean blocks(int from, int to) {
      return false;
    }

    @Override
    public boolean cutsClientsFrom(int replica) {
      return unreachable.contains(replica);
    }

    @Override
    public String describe() {
      return "clientscut" + new TreeSet<>(unreachable);
    }
  }
}
