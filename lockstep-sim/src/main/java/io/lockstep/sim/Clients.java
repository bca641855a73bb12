package io.lockstep.sim;

import io.lockstep.check.History;
import io.lockstep.check.Op;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.journal.Event;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated clients and everything they share: the history they record, the links to the
 * replicas (network delay, loss bursts, partitions that cut clients from some replicas), the
 * routing of replies, redirects and read results back to the client that waits for them, and
 * the liveness phase's bookkeeping.
 */
final class Clients implements ClientRouter {
  private final SimOptions options;
  private final RegisterService service;
  private final EventQueue queue;
  private final Trace trace;
  private final Network network;
  private final Cluster cluster;
  private final FailureModel failureModel;
  private final int commandQuorum;
  private final SimClient[] clients;
  private final Map<ClientId, SimClient> byId = new HashMap<>();
  private final Map<Long, SimClient> byReadId = new HashMap<>();
  private final String[] recent;
  private final History history = new History();
  private ConfigurationAdmin admin;
  private ReplicaSetAdmin replicaSets;
  private ConfigurationCheck configurationCheck;
  private int nextProcess;
  private SimClientKeys handsToOne;
  private long nextValue;
  private long nextReadId;
  private long healedAt = Long.MAX_VALUE;
  private int ok;
  private int failed;
  private int info;

  Clients(SimOptions options, RegisterService service, EventQueue queue, Trace trace,
      Network network, Cluster cluster, SplittableRandom random, FailureModel failureModel,
      int commandQuorum) {
    this.options = options;
    this.failureModel = failureModel;
    this.commandQuorum = commandQuorum;
    this.service = service;
    this.queue = queue;
    this.trace = trace;
    this.network = network;
    this.cluster = cluster;
    this.recent = new String[options.keys()];
    this.clients = new SimClient[options.clients()];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = new SimClient(i, nextProcess++, this, random.split());
      byId.put(clients[i].id(), clients[i]);
    }
  }

  /** How clients encode operations and decode outputs. */
  RegisterService service() {
    return service;
  }

  /** Routes the administrator's answers to it, and every reply to the configuration check. */
  void configuration(ConfigurationAdmin admin, ConfigurationCheck check) {
    this.admin = admin;
    this.configurationCheck = check;
  }

  /** Routes the administrator's answers to the PBFT operator's replica-set changes. */
  void replicaSets(ReplicaSetAdmin operator) {
    this.replicaSets = operator;
  }

  /** The identity client {@code index} uses now (it changes when the client gives up). */
  ClientId currentId(int index) {
    return clients[index].id();
  }

  int count() {
    return clients.length;
  }

  void trace(String what) {
    trace.record(queue.now(), what);
  }

  /** Sends the administrator's request, through the same network as the clients'. */
  void sendAdmin(int replica, Request request) {
    if (lost(replica)) {
      trace.record(queue.now(), "lost request " + request + " to " + replica);
      return;
    }
    afterDelayUnlessCut(replica, () -> cluster.clientRequest(replica, request));
  }

  /** Every client starts its first operation after a random think time. */
  void start() {
    for (SimClient client : clients) {
      client.start();
    }
  }

  /** The liveness phase starts now: operations no longer give up, and each must finish in time. */
  void startLiveness() {
    healedAt = queue.now();
    for (SimClient client : clients) {
      client.enterLiveness();
      if (client.outstanding()) {
        armLivenessCheck(client, healedAt);
      }
    }
  }

  private void armLivenessCheck(SimClient client, long from) {
    long serial = client.serial();
    Op op = client.currentInvoke();
    queue.at(from + options.livenessBoundMillis() * 1_000_000, () -> {
      if (client.outstanding() && client.serial() == serial) {
        throw new SimFailure("liveness: process " + op.process() + "'s " + op.f() + " of "
            + op.key() + " invoked at " + op.time() / 1_000_000 + " ms did not complete within "
            + options.livenessBoundMillis() + " ms after healing at " + healedAt / 1_000_000
            + " ms");
      }
    });
  }

  /** True when every client met its liveness quota and has nothing outstanding. */
  boolean allIdle() {
    for (SimClient client : clients) {
      if (!client.idle()) {
        return false;
      }
    }
    return true;
  }

  // ---- services for SimClient ----

  long now() {
    return queue.now();
  }

  void after(long delay, Runnable action) {
    queue.after(delay, action);
  }

  boolean livenessPhase() {
    return healedAt != Long.MAX_VALUE;
  }

  long healedAt() {
    return healedAt;
  }

  int livenessQuota() {
    return options.livenessOpsPerClient();
  }

  int keys() {
    return options.keys();
  }

  /** Every replica a client may try, spares included (a spare may lead once added). */
  int replicas() {
    return options.nodes();
  }

  int t() {
    return options.t();
  }

  /** The replicas' failure model: Byzantine clients send to every replica and vote. */
  FailureModel failureModel() {
    return failureModel;
  }

  /** Identical replies a command's result needs ({@link CoordinationFactory#commandQuorum}). */
  int commandQuorum() {
    return commandQuorum;
  }

  long opDeadline() {
    return options.opDeadlineMillis() * 1_000_000;
  }

  long requestTimeout() {
    return options.requestTimeoutMillis() * 1_000_000;
  }

  long thinkNanos() {
    return options.thinkMillis() * 1_000_000;
  }

  /** A value never written before, so the checker can tell every write apart. */
  String freshValue() {
    return "v" + nextValue++;
  }

  /** The value of {@code key} most recently seen by any client (null = absent), for cas. */
  String recentValue(String key) {
    return recent[Integer.parseInt(key.substring(1))];
  }

  int newProcess() {
    return nextProcess++;
  }

  /**
   * Records {@code op} of {@code client} in the history, the trace and the journal; its request
   * has {@code sequence} (-1: a read that is no request).
   */
  void record(SimClient client, Op op, long sequence) {
    history.add(op);
    trace.record(queue.now(), "op " + History.toJson(op));
    if (trace.journaling()) {
      trace.event(queue.now(), -1, Event.request(op.isInvoke() ? Event.Kind.INVOKE
          : Event.Kind.OUTCOME, client.id().toString(), sequence, Event.NONE, describe(op)));
    }
  }

  /**
   * How the journal names an operation: its process (so a checker's explanation, which names
   * processes, finds it), outcome, function, key and values.
   */
  static String describe(Op op) {
    StringBuilder out = new StringBuilder("p").append(op.process()).append(' ');
    if (!op.isInvoke()) {
      out.append(op.type().json()).append(' ');
    }
    out.append(op.f()).append(' ').append(op.key());
    if (op.expected() != null) {
      out.append(" if ").append(op.expected());
    }
    if (op.value() != null) {
      out.append(op.f().equals("read") ? " -> " : " = ").append(op.value());
    }
    return out.toString();
  }

  void started(SimClient client) {
    if (livenessPhase()) {
      armLivenessCheck(client, queue.now());
    }
  }

  void completed(SimClient client, Op completion) {
    switch (completion.type()) {
      case OK -> ok++;
      case FAIL -> failed++;
      default -> info++;
    }
    if (completion.type() == Op.Type.OK) {
      int key = Integer.parseInt(completion.key().substring(1));
      recent[key] = completion.f().equals("delete") ? null : completion.value();
    }
  }

  /** A client gave up its identity; replies to it are no longer routed. */
  void retire(ClientId old) {
    byId.remove(old);
  }

  void sendRequest(SimClient client, int replica, Request request) {
    sendRequest(client, replica, request, null);
  }

  /** Sends {@code request} to {@code replica} with its client's signature (or null). */
  void sendRequest(SimClient client, int replica, Request request, byte[] signature) {
    byId.put(client.id(), client);
    if (lost(replica)) {
      trace.record(queue.now(), "lost request " + request + " to " + replica);
      return;
    }
    afterDelayUnlessCut(replica, () -> cluster.clientRequest(replica, request, signature));
  }

  /**
   * Whether Byzantine clients sign each request and hand it to one replica (paper §3.1, the
   * second transmitter mode) instead of sending it to every replica: set by the factory.
   */
  SimClientKeys handsToOne() {
    return handsToOne;
  }

  /** Clients sign with {@code keys} and hand each request to one replica (null: broadcast). */
  void handToOne(SimClientKeys keys) {
    this.handsToOne = keys;
  }

  /** Sends a linearizable read under a fresh read id, forgetting the previous attempt's. */
  long sendRead(SimClient client, int replica, byte[] query, long previousReadId) {
    byReadId.remove(previousReadId);
    long readId = ++nextReadId;
    byReadId.put(readId, client);
    if (lost(replica)) {
      trace.record(queue.now(), "lost read " + readId + " to " + replica);
      return readId;
    }
    ClientId caller = client.id();
    afterDelayUnlessCut(replica, () -> cluster.clientRead(replica, readId, caller, query));
    return readId;
  }

  /**
   * A Byzantine client's read: sent to every replica under a fresh read id each (index =
   * replica), forgetting the previous attempt's ids.
   */
  long[] sendReads(SimClient client, byte[] query, long[] previous) {
    long[] ids = new long[options.replicas()];
    for (int replica = 0; replica < ids.length; replica++) {
      ids[replica] = sendRead(client, replica, query,
          previous == null ? -1 : previous[replica]);
    }
    return ids;
  }

  /** The client no longer waits for this read's answer. */
  void forgetRead(long readId) {
    byReadId.remove(readId);
  }

  // ---- ClientRouter: outputs leaving replicas ----

  @Override
  public void reply(int replica, Reply reply) {
    if (configurationCheck != null) {
      configurationCheck.onReply(replica, reply);
    }
    if (replicaSets != null && reply.client().equals(SystemCommands.ADMIN)) {
      if (!lost(replica)) {
        afterDelayUnlessCut(replica, () -> replicaSets.onReply(replica, reply));
      }
      return;
    }
    if (admin != null && reply.client().equals(SystemCommands.ADMIN)) {
      if (!lost(replica)) {
        afterDelayUnlessCut(replica, () -> admin.onReply(replica, reply));
      }
      return;
    }
    SimClient client = byId.get(reply.client());
    if (client != null && client.awaits(replica, reply) && !lost(replica)) {
      trace.event(queue.now(), replica, Event.request(Event.Kind.REPLY, reply.client().toString(),
          reply.sequence(), reply.position(), reply.status() + " " + reply.reason()));
      afterDelayUnlessCut(replica, () -> {
        trace.record(queue.now(), "reply " + reply.client() + "#" + reply.sequence() + " "
            + reply.status() + " from " + replica);
        client.onReply(replica, reply);
      });
    }
  }

  @Override
  public void read(int replica, QueryResult result) {
    SimClient client = byReadId.remove(result.readId());
    if (client != null && client.awaits(replica, result) && !lost(replica)) {
      afterDelayUnlessCut(replica, () -> {
        trace.record(queue.now(), "readresult " + result.readId() + " " + result.ok() + " from "
            + replica);
        client.onRead(replica, result);
      });
    }
  }

  @Override
  public void redirect(int replica, Ready.Redirect redirect) {
    if (admin != null && redirect.request() != null
        && redirect.request().client().equals(SystemCommands.ADMIN)) {
      if (!lost(replica)) {
        afterDelayUnlessCut(replica, () -> admin.onRedirect(replica, redirect));
      }
      return;
    }
    SimClient client = redirect.request() == null
        ? byReadId.remove(redirect.readId())
        : byId.get(redirect.request().client());
    if (client != null && client.awaits(replica, redirect) && !lost(replica)) {
      afterDelayUnlessCut(replica, () -> {
        trace.record(queue.now(), "redirect " + Canon.of(redirect) + " from " + replica);
        client.onRedirect(replica, redirect);
      });
    }
  }

  /**
   * Whether a message between clients and {@code replica} is lost as it leaves: to a loss burst,
   * or to a partition that cuts clients from that replica (checked again on arrival).
   */
  private boolean lost(int replica) {
    return network.clientsCutFrom(replica) || network.clientMessageLost();
  }

  private void afterDelayUnlessCut(int replica, Runnable arrival) {
    queue.after(network.delay(), () -> {
      if (!network.clientsCutFrom(replica)) {
        arrival.run();
      }
    });
  }

  History history() {
    return history;
  }

  int ok() {
    return ok;
  }

  int failed() {
    return failed;
  }

  int info() {
    return info;
  }
}
