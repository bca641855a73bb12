package io.lockstep.sim;

import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.order.pbft.PbftConfiguration;
import io.lockstep.order.pbft.ReplicaSetRule;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulated operator of a PBFT cluster ({@link MembershipPlan.Mode#OPERATOR}): during the
 * fault phase it replaces one replica at a time (any member, the Byzantine one included, by a
 * replica outside the configuration: a spare or one removed earlier) with a
 * {@link SystemCommand.SetReplicas} of {@link SystemCommands#ADMIN}, checked first with
 * {@link ReplicaSetRule}. Like a Byzantine client it sends the request to every replica,
 * resends to those that have not answered, and takes a result only from 2t+1 identical
 * answers (counted by the replica that sent them).
 */
final class ReplicaSetAdmin {
  private final MembershipPlan plan;
  private final Clients clients;
  private final SplittableRandom random;
  private final Set<Integer> everyReplica = new TreeSet<>();
  private TreeSet<Integer> latest = new TreeSet<>();
  /** Each ordered change's set and its stated position, in order. */
  private final List<Ordered> ordered = new ArrayList<>();
  private long faultEnd;
  private long sequence;
  private Request request;
  private TreeSet<Integer> asking;
  private final TreeMap<Integer, Reply> answers = new TreeMap<>();
  private int attempt;

  /** A change the replicas ordered: the set and the position it is stated for. */
  record Ordered(TreeSet<Integer> replicas, long at) {}

  ReplicaSetAdmin(MembershipPlan plan, SimOptions options, Clients clients,
      SplittableRandom random) {
    this.plan = plan;
    this.clients = clients;
    this.random = random;
    for (int i = 0; i < options.nodes(); i++) {
      everyReplica.add(i);
      if (i < options.replicas()) {
        latest.add(i);
      }
    }
  }

  void start(long end) {
    faultEnd = end;
    scheduleNext();
  }

  /** True when no change waits for its answers. */
  boolean settled() {
    return request == null;
  }

  List<Ordered> ordered() {
    return List.copyOf(ordered);
  }

  private void scheduleNext() {
    clients.after(Network.exponential(random, plan.gapMillis() * 1_000_000), this::issue);
  }

  private void issue() {
    if (ordered.size() >= plan.replacements() || clients.now() >= faultEnd) {
      return;
    }
    List<Integer> members = new ArrayList<>(latest);
    List<Integer> outside = new ArrayList<>(everyReplica);
    outside.removeAll(latest);
    TreeSet<Integer> next = new TreeSet<>(latest);
    next.remove(members.get(random.nextInt(members.size())));
    next.add(outside.get(random.nextInt(outside.size())));
    String refusal = ReplicaSetRule.refusal(PbftConfiguration.of(latest, clients.t()), next,
        everyReplica);
    if (refusal != null) {
      throw new IllegalStateException("the operator's own change is refused: " + refusal);
    }
    asking = next;
    request = Request.command(SystemCommands.ADMIN, ++sequence,
        SystemCommands.encode(new SystemCommand.SetReplicas(next, 0)));
    answers.clear();
    clients.trace("operator orders replicas " + next + " as #" + sequence);
    sendToAll();
  }

  private void sendToAll() {
    int armed = ++attempt;
    for (int replica : everyReplica) {
      if (!answers.containsKey(replica)) {
        clients.sendAdmin(replica, request);
      }
    }
    clients.after(clients.requestTimeout(), () -> {
      if (request != null && armed == attempt) {
        sendToAll();
      }
    });
  }

  /** A replica answered the current change; 2t+1 identical answers are its result. */
  void onReply(int replica, Reply reply) {
    if (request == null || reply.sequence() != request.sequence()) {
      return;
    }
    answers.putIfAbsent(replica, reply);
    int same = 0;
    for (Reply other : answers.values()) {
      if (other.status() == reply.status() && Arrays.equals(other.value(), reply.value())
          && other.reason().equals(reply.reason())) {
        same++;
      }
    }
    if (same < 2 * clients.t() + 1) {
      return;
    }
    if (reply.status() == Reply.Status.OK) {
      ordered.add(new Ordered(asking, SystemCommands.receiptPosition(reply.value())));
      latest = asking;
    }
    clients.trace("operator #" + reply.sequence() + " " + reply.status() + " "
        + (reply.status() == Reply.Status.OK ? "replicas " + asking : reply.reason()));
    request = null;
    attempt++;
    scheduleNext();
  }
}
