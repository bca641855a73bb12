package io.lockstep.sim;

import io.lockstep.check.History;
import io.lockstep.order.MessageInterceptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One run of the simulator: builds the cluster, network, clients and fault schedule from the
 * seed, runs the fault phase and the liveness phase, and applies the final checks.
 */
final class SimRun {
  private final SimOptions options;
  private final long seed;
  private final String serviceName;
  private final EventQueue queue = new EventQueue();
  private final Trace trace;
  private final Monitor monitor;
  private final Cluster cluster;
  private final Network network;
  private final Clients clients;
  private final Nemesis nemesis;
  private final MembershipNemesis membership;
  private final ChangeRaceNemesis race;
  private final ConfigurationAdmin admin;
  private final ReplicaSetAdmin operator;
  private final ConfigurationCheck configurationCheck;
  private final SplittableRandom phases;
  private boolean healed;

  SimRun(SimOptions options, long seed, CoordinationFactory factory, RegisterService service,
      Map<Integer, MessageInterceptor> interceptors, Trace trace) {
    this.options = options;
    this.seed = seed;
    this.trace = trace;
    this.serviceName = service.name();
    SplittableRandom root = new SplittableRandom(seed);
    this.monitor = new Monitor(options.nodes());
    this.cluster = new Cluster(options, factory, service, interceptors, queue, trace, monitor,
        root.split());
    this.network = new Network(options.network(), root.split(), queue, trace, cluster::deliver);
    this.clients = new Clients(options, service, queue, trace, network, cluster, root.split(),
        factory.failureModel(), factory.commandQuorum(options.t()));
    clients.handToOne(factory.clientsHandToOne());
    this.nemesis = new Nemesis(options, cluster, network, queue, trace, root.split());
    this.phases = root.split();
    // Split last, so runs without membership changes draw exactly what they drew before.
    this.membership = new MembershipNemesis(options, cluster, queue, trace, root.split());
    this.race = options.membership().mode() == MembershipPlan.Mode.CHANGE_RACE
        ? new ChangeRaceNemesis(options, cluster, network, queue, trace, root.split()) : null;
    // Split only when used, so runs without configuration changes draw what they drew before.
    this.admin = options.configuration().active()
        ? new ConfigurationAdmin(options.configuration(), clients, root.split()) : null;
    this.configurationCheck = admin == null ? null : new ConfigurationCheck();
    clients.configuration(admin, configurationCheck);
    // Split only when used, as above.
    this.operator = options.membership().mode() == MembershipPlan.Mode.OPERATOR
        ? new ReplicaSetAdmin(options.membership(), options, clients, root.split()) : null;
    clients.replicaSets(operator);
    cluster.connect(network, clients);
    monitor.checkAgreedTime(new AgreedTimeCheck(options.clocks(), options.nodes(),
        options.t(), id -> cluster.node(id).clock, id -> cluster.node(id).up, queue));
  }

  /**
   * Power loss: at {@code atMillis} every running replica crashes at once (writes not yet
   * synced are lost), and each restarts from its disk {@code downMillis} later. Draws nothing
   * from the run's random generators, so the rest of the seed's schedule is unchanged.
   */
  SimRun powerLoss(long atMillis, long downMillis) {
    queue.at(atMillis * 1_000_000, () -> {
      List<Integer> victims = cluster.running();
      trace.record(queue.now(), "powerloss " + victims);
      victims.forEach(cluster::crash);
      queue.after(downMillis * 1_000_000, () -> victims.forEach(cluster::restart));
    });
    return this;
  }

  SimResult execute() {
    trace.record(0, "seed " + seed + " service " + serviceName + " "
        + options.withHistoryDir(null).withTraceFile(null));
    String failure;
    boolean[] unknown = {false};
    try {
      runPhases();
      failure = finalChecks(unknown);
    } catch (SimFailure f) {
      failure = f.getMessage();
    }
    trace.record(queue.now(), "end messages=" + network.sent() + " delivered="
        + network.delivered() + " dropped=" + network.dropped() + " compared="
        + monitor.comparedPositions() + " leaderTerms=" + monitor.leaderTerms() + " "
        + monitor.agreedTimeSummary());
    if (failure != null) {
      trace.record(queue.now(), "FAIL " + failure);
    }
    History history = clients.history();
    return new SimResult(seed, failure == null, failure, trace.digest(), clients.ok(),
        clients.failed(), clients.info(), queue.executed(), queue.now() / 1_000_000,
        nemesis.injected(), unknown[0], history,
        operator != null ? operator.ordered().size()
            : race == null ? membership.replaced() : race.rounds(),
        admin == null ? 0 : (int) admin.receipts().stream().filter(r -> r.ordered()).count(),
        configurationCheck == null ? 0 : configurationCheck.refusals());
  }

  private void runPhases() {
    long faultEnd = options.faultPhaseMillis() * 1_000_000;
    cluster.start(phases);
    clients.start();
    nemesis.start(faultEnd);
    membership.start();
    if (race != null) {
      race.start();
    }
    if (admin != null) {
      admin.start(faultEnd);
    }
    if (operator != null) {
      operator.start(faultEnd);
    }
    queue.at(faultEnd, this::heal);
    long giveUpAt = faultEnd
        + (options.livenessOpsPerClient() + 2L) * options.livenessBoundMillis() * 1_000_000;
    while (!(healed && clients.allIdle() && membership.settled()
        && (admin == null || admin.settled()) && (operator == null || operator.settled()))) {
      if (queue.peekTime() > giveUpAt || !queue.runNext()) {
        throw new SimFailure("liveness: the clients did not finish "
            + options.livenessOpsPerClient() + " operations each"
            + (membership.settled() ? "" : " (or a membership change did not)")
            + (admin == null || admin.settled() ? "" : " (or a configuration change did not)")
            + (operator == null || operator.settled() ? "" : " (or a replica-set change did not)")
            + " after healing at " + faultEnd / 1_000_000 + " ms");
      }
    }
  }

  private void heal() {
    membership.stopFailures();
    if (race != null) {
      race.stop();
    }
    nemesis.healAll();
    monitor.onHealed();
    clients.startLiveness();
    healed = true;
  }

  private String finalChecks(boolean[] unknown) {
    String digests = compareFinalDigests();
    if (digests != null) {
      return digests;
    }
    if (admin != null) {
      String configuration = configurationCheck.verify(admin.receipts(), cluster);
      if (configuration != null) {
        return configuration;
      }
    }
    if (operator != null) {
      String replicas = checkReplicaSets();
      if (replicas != null) {
        return replicas;
      }
    }
    return Simulation.checkLinearizable(clients.history(), unknown);
  }

  /**
   * Every replica that applied past the last ordered replica-set change's stated position
   * holds that set in its executor's configuration: the change landed in replicated state.
   */
  private String checkReplicaSets() {
    List<ReplicaSetAdmin.Ordered> changes = operator.ordered();
    if (changes.isEmpty()) {
      return null;
    }
    ReplicaSetAdmin.Ordered last = changes.get(changes.size() - 1);
    for (int id = 0; id < cluster.size(); id++) {
      Cluster.Node node = cluster.node(id);
      if (node.up && node.replica.appliedPosition() >= last.at()
          && !node.replica.executor().configuration().replicas().equals(last.replicas())) {
        return "replica-set change lost: replica " + id + " applied to "
            + node.replica.appliedPosition() + " past " + last.at() + " but holds "
            + node.replica.executor().configuration().replicas() + ", not " + last.replicas();
      }
    }
    return null;
  }

  /** Replicas that end at the same applied position must hold the same state (S1). */
  private String compareFinalDigests() {
    Map<Long, Integer> holder = new HashMap<>();
    Map<Long, String> digestAt = new HashMap<>();
    for (int id = 0; id < cluster.size(); id++) {
      Cluster.Node node = cluster.node(id);
      if (!node.up || !cluster.checked(node)) {
        continue;
      }
      long position = node.replica.appliedPosition();
      String digest = node.replica.executor().digest();
      String first = digestAt.putIfAbsent(position, digest);
      if (first != null && !first.equals(digest)) {
        return "divergence: at the end replicas " + holder.get(position) + " and " + id
            + " both applied up to position " + position + " but their states differ";
      }
      holder.putIfAbsent(position, id);
    }
    return null;
  }
}
