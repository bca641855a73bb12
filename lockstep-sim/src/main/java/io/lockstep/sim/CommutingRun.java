package io.lockstep.sim;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * What the paper's commuting relaxation (§3, S12) allows, played out: every replica gets the same
 * requests (Agreement holds), but each applies every run of requests the state machine declares
 * pairwise commuting ({@link StateMachine#commutes}) in an order of its own, drawn from a seed.
 * Requests that are not declared commuting keep their place and separate the runs; one client's
 * requests keep their FIFO order (O1) even inside a run.
 *
 * <p>Raft and PBFT order everything, so the relaxation is shown here, not in a protocol. The
 * checker compares what the paper's definition of commuting promises: the digests of the
 * replicas' state machines at the end and every request's output. A true declaration passes
 * whatever the orders; a wrong one is caught as divergence.
 */
public final class CommutingRun {
  private final Supplier<? extends StateMachine> machines;
  private final int replicas;

  /**
   * @param machines makes one fresh state machine per replica
   * @param replicas how many replicas apply the requests
   */
  public CommutingRun(Supplier<? extends StateMachine> machines, int replicas) {
    this.machines = Objects.requireNonNull(machines, "machines");
    if (replicas < 2) {
      throw new IllegalArgumentException("orders can only differ between 2 or more replicas");
    }
    this.replicas = replicas;
  }

  /** One replica's run: the order it applied, its outputs by request, its state digest. */
  public record Applied(List<Request> order, Map<String, Reply> outputs, String digest) {}

  /**
   * Applies {@code requests} (the agreed sequence) on every replica, each reordering the
   * commuting runs with its own generator split from {@code seed}.
   */
  public List<Applied> run(List<Request> requests, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Applied> applied = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      StateMachine machine = machines.get();
      List<Request> order = reorder(machine, requests, random.split());
      applied.add(apply(machine, r, order));
    }
    return applied;
  }

  /**
   * The divergences between replicas' runs: differing final digests, or a request whose output
   * differs; empty when the replicas agree.
   */
  public static List<String> divergences(List<Applied> applied) {
    if (applied.isEmpty()) {
      throw new IllegalArgumentException("no replica's run to compare");
    }
    List<String> found = new ArrayList<>();
    Applied first = applied.get(0);
    for (int r = 1; r < applied.size(); r++) {
      Applied other = applied.get(r);
      if (!first.digest().equals(other.digest())) {
        found.add("replica 0 ends with digest " + first.digest() + " but replica " + r
            + " with " + other.digest());
      }
      for (Map.Entry<String, Reply> output : first.outputs().entrySet()) {
        Reply theirs = other.outputs().get(output.getKey());
        if (theirs == null || !output.getValue().sameOutput(theirs)) {
          found.add("request " + output.getKey() + ": replica 0 output " + output.getValue()
              + ", replica " + r + " output " + theirs);
        }
      }
    }
    return found;
  }

  /** Splits into runs of declared-commuting requests and shuffles each run within O1. */
  private static List<Request> reorder(
      StateMachine machine, List<Request> requests, SplittableRandom random) {
    List<Request> order = new ArrayList<>();
    List<Request> run = new ArrayList<>();
    for (Request request : requests) {
      if (!run.isEmpty() && !commutesWithAll(machine, request, run)) {
        order.addAll(shuffleKeepingFifo(run, random));
        run.clear();
      }
      run.add(request);
    }
    order.addAll(shuffleKeepingFifo(run, random));
    return order;
  }

  private static boolean commutesWithAll(StateMachine machine, Request request, List<Request> run) {
    for (Request other : run) {
      if (request.kind() != Request.Kind.COMMAND || other.kind() != Request.Kind.COMMAND
          || !machine.commutes(request.command(), other.command())) {
        return false;
      }
    }
    return true;
  }

  /** A random interleaving of the clients' queues: any order that keeps each client's FIFO. */
  private static List<Request> shuffleKeepingFifo(List<Request> run, SplittableRandom random) {
    Map<ClientId, ArrayDeque<Request>> queues = new LinkedHashMap<>();
    run.forEach(r -> queues.computeIfAbsent(r.client(), c -> new ArrayDeque<>()).add(r));
    List<ArrayDeque<Request>> pending = new ArrayList<>(queues.values());
    List<Request> shuffled = new ArrayList<>();
    while (!pending.isEmpty()) {
      int pick = random.nextInt(pending.size());
      shuffled.add(pending.get(pick).poll());
      if (pending.get(pick).isEmpty()) {
        pending.remove(pick);
      }
    }
    return shuffled;
  }

  private static Applied apply(StateMachine machine, int replica, List<Request> order) {
    Executor executor = new Executor(machine, ExecutorConfig.defaults(replica));
    Map<String, Reply> outputs = new LinkedHashMap<>();
    long position = 0;
    for (Request request : order) {
      position++;
      for (Reply reply : executor.apply(new Ordered(position, position, request))) {
        outputs.put(reply.client() + "#" + reply.sequence(), reply);
      }
    }
    return new Applied(List.copyOf(order), outputs, stateDigest(machine));
  }

  /**
   * Hex SHA-256 of the state machine's own snapshot: its state variables, the paper's "final
   * state". Not {@link Executor#digest()}: that also covers the executor's session table, whose
   * cached replies and least-recently-used marks record each request's position, and a position
   * is what an unordered request does not have in common across replicas.
   */
  private static String stateDigest(StateMachine machine) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(machine.snapshot()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
