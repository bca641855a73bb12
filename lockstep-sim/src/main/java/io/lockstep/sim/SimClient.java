package io.lockstep.sim;

import io.lockstep.check.Op;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ready;
import io.lockstep.order.agreement.TransmitterCheck;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.voter.Voter;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * One closed-loop client of the replicated key-value store: it issues one operation at a time,
 * sends it to the replica it believes leads, follows redirects, resends the SAME request (same
 * client id and sequence number, so the executor's session runs it at most once, X4) when a reply
 * is late, and records every operation in the history.
 *
 * <p>An operation that cannot complete before its deadline is recorded as {@code info} (it may
 * still take effect) and the client continues as a new process with a new client id, so no
 * sequence number is ever skipped (a gap would stall the session's FIFO order, O1, forever).
 * Replies are taken only from the replica the request was last sent to, through a fail-stop voter
 * (paper §4: the first reply).
 *
 * <p>Against Byzantine replicas (S13) the client sends its request to every replica, resends it
 * only to those that have not replied (as the real client does), and votes:
 * a command's result needs 2t+1 identical replies from distinct replicas (so that reads decided
 * on 2t+1 answers at the replicas' current states see it: {@link
 * CoordinationFactory#commandQuorum}), each counted by the channel it came on, not by what the
 * reply says about its sender; a read needs 2t+1 matching answers ({@link ReadVote}), else it is
 * resubmitted as an ordered read.
 */
final class SimClient {
  private enum Kind { WRITE, READ, LOGGED_READ, CAS, DELETE }

  private final int index;
  private final Clients host;
  private final SplittableRandom random;
  private final boolean byzantine;
  private ClientId id;
  private int process;
  private int generation;
  private long nextSequence = 1;
  private int believedLeader = -1;

  private Op invoke;
  private Kind kind;
  private Request request;
  private long readId = -1;
  /** Byzantine mode: the current read's id at each replica, and the vote on the answers. */
  private long[] readIds;
  private ReadVote readVote;
  /**
   * Byzantine mode: the replicas that replied to the current request. A resend goes only to the
   * others, as the real client's does: the replicas that answered no longer hold the request, so
   * a replica that missed its execution's reply must answer the resend from its reply cache.
   */
  private boolean[] answered;
  private int target = -1;
  private int attempt;
  private long deadline;
  private Voter voter;
  private long serial;
  private int doneInLiveness;
  private boolean idle;
  /** The rotation a client that hands each request to one replica resends through. */
  private final TransmitterCheck transmitterOrder;

  SimClient(int index, int process, Clients host, SplittableRandom random) {
    this.index = index;
    this.process = process;
    this.host = host;
    this.random = random;
    this.id = ClientId.of("c" + index);
    this.byzantine = host.failureModel() == FailureModel.BYZANTINE;
    this.transmitterOrder = new TransmitterCheck(IntStream.range(0, host.replicas()).boxed()
        .toList(), new byte[0]);
  }

  ClientId id() {
    return id;
  }

  int process() {
    return process;
  }

  boolean idle() {
    return idle;
  }

  boolean outstanding() {
    return invoke != null;
  }

  /** Serial number of the current operation, to tell a stale liveness check from a live one. */
  long serial() {
    return serial;
  }

  Op currentInvoke() {
    return invoke;
  }

  /** The liveness phase started: the operation in flight must now complete, not give up. */
  void enterLiveness() {
    deadline = Long.MAX_VALUE;
  }

  /** Starts the first operation after a random think time. */
  void start() {
    host.after(Network.exponential(random, host.thinkNanos()), this::startNext);
  }

  /** Starts the next operation, unless the liveness phase quota is met. */
  void startNext() {
    if (host.livenessPhase() && doneInLiveness >= host.livenessQuota()) {
      idle = true;
      return;
    }
    String key = "k" + random.nextInt(host.keys());
    int roll = random.nextInt(100);
    kind = roll < 35 ? Kind.WRITE : roll < 65 ? Kind.READ : roll < 70 ? Kind.LOGGED_READ
        : roll < 90 ? Kind.CAS : Kind.DELETE;
    long now = host.now();
    byte[] command = switch (kind) {
      case WRITE -> put(key, now);
      case CAS -> cas(key, now);
      case DELETE -> delete(key, now);
      case LOGGED_READ -> loggedRead(key, now);
      case READ -> linearizableRead(key, now);
    };
    request = command == null ? null : Request.command(id, nextSequence++, command);
    answered = new boolean[host.replicas()];
    serial++;
    // The voter decides on (its t)+1 identical replies from distinct replicas.
    voter = new Voter(host.failureModel(), host.commandQuorum() - 1);
    deadline = host.livenessPhase() ? Long.MAX_VALUE : now + host.opDeadline();
    host.started(this);
    send(firstTarget());
  }

  /**
   * The believed leader, except that one operation in five goes to a random replica: clients of
   * real deployments reach whichever replica they are connected to, and a replica that wrongly
   * believes it leads (an isolated leader serving stale reads) must be exposed to them.
   */
  private int firstTarget() {
    boolean stray = random.nextInt(5) == 0;
    return believedLeader >= 0 && !stray ? believedLeader : random.nextInt(host.replicas());
  }

  private byte[] put(String key, long now) {
    String value = host.freshValue();
    begin(Op.write(process, key, value, now));
    return host.service().write(key, value);
  }

  private byte[] cas(String key, long now) {
    String expected = host.recentValue(key);
    String value = host.freshValue();
    begin(Op.cas(process, key, expected, value, now));
    return host.service().cas(key, expected, value);
  }

  private byte[] delete(String key, long now) {
    begin(Op.delete(process, key, now));
    return host.service().delete(key);
  }

  private byte[] loggedRead(String key, long now) {
    begin(Op.read(process, key, now));
    return host.service().read(key);
  }

  private byte[] linearizableRead(String key, long now) {
    begin(Op.read(process, key, now));
    return null;
  }

  private void begin(Op op) {
    invoke = op;
    host.record(this, op, kind == Kind.READ ? -1 : nextSequence);
  }

  /** Sends (or resends) the current operation to {@code replica} and arms its timeout. */
  private void send(int replica) {
    attempt++;
    int previous = target;
    target = replica;
    if (byzantine && request != null && host.handsToOne() != null) {
      handToOne(replica, previous);
    } else if (byzantine) {
      sendToAll();
    } else if (request != null) {
      host.sendRequest(this, replica, request);
    } else {
      readId = host.sendRead(this, replica, host.service().read(invoke.key()), readId);
    }
    int armed = attempt;
    long timeout = host.requestTimeout() + random.nextLong(host.requestTimeout() / 2 + 1);
    host.after(timeout, () -> onTimeout(armed));
  }

  /**
   * The paper's second transmitter mode (§3.1): the request, signed, goes to ONE replica, which
   * disseminates it; every replica replies once it runs it. A resend (no answer by the time-out:
   * that replica lost or altered it, or is slow) goes through the next replica of the rotation
   * ({@link TransmitterCheck#next}), so the (t+1)-th attempt goes through a correct one.
   */
  private void handToOne(int replica, int previous) {
    if (replica < 0) {
      target = previous < 0 ? random.nextInt(host.replicas()) : transmitterOrder.next(previous);
    }
    host.sendRequest(this, target, request, host.handsToOne().sign(request));
  }

  private void sendToAll() {
    if (request != null) {
      for (int replica = 0; replica < host.replicas(); replica++) {
        if (!answered[replica]) {
          host.sendRequest(this, replica, request);
        }
      }
    } else {
      readVote = new ReadVote(host.replicas(), host.t());
      readIds = host.sendReads(this, host.service().read(invoke.key()), readIds);
    }
  }

  /** A read that 2t+1 replicas did not answer alike is ordered like a command (PBFT §5.1.3). */
  private void orderRead() {
    forgetReads();
    kind = Kind.LOGGED_READ;
    request = Request.command(id, nextSequence++, host.service().read(invoke.key()));
    answered = new boolean[host.replicas()];
    send(-1);
  }

  private void forgetReads() {
    if (readIds != null) {
      for (long each : readIds) {
        host.forgetRead(each);
      }
    }
    readIds = null;
    readVote = null;
  }

  private void onTimeout(int armed) {
    if (invoke == null || armed != attempt) {
      return;
    }
    if (host.now() >= deadline) {
      giveUp();
      return;
    }
    if (byzantine) {
      if (request == null) {
        orderRead();
      } else {
        send(-1);
      }
      return;
    }
    believedLeader = -1;
    send(otherThan(target));
  }

  private int otherThan(int replica) {
    int n = host.replicas();
    return n == 1 ? replica : (replica + 1 + random.nextInt(n - 1)) % n;
  }

  /** A reply arrived from {@code replica}; only the one the request was last sent to counts. */
  void onReply(int replica, Reply reply) {
    if (!awaits(replica, reply)) {
      return;
    }
    if (byzantine) {
      answered[replica] = true;
    }
    // The voter counts the replica the reply came from, never the id written in it.
    Optional<Reply> decided = voter.offer(reply.fromReplica(replica));
    decided.ifPresent(this::finishCommand);
  }

  /** True when {@code reply} answers the current request as last sent. */
  boolean awaits(int replica, Reply reply) {
    return request != null && (byzantine || replica == target) && reply.client().equals(id)
        && reply.sequence() == request.sequence();
  }

  private void finishCommand(Reply reply) {
    long now = host.now();
    if (ClusterConfiguration.removedClient(reply.reason())) {
      // Final, and silent on whether a retried request ran before the removal (its session,
      // which held the answer, is gone): the outcome is unknown, and this identity is finished.
      giveUp();
      return;
    }
    if (reply.status() == Reply.Status.REJECTED) {
      complete(invoke.completeFail(now));
      return;
    }
    switch (kind) {
      case WRITE, DELETE -> complete(invoke.completeOk(now));
      case LOGGED_READ ->
          complete(invoke.completeRead(host.service().readValue(reply.value()), now));
      case CAS -> complete(host.service().casApplied(reply.value())
          ? invoke.completeOk(now) : invoke.completeFail(now));
      default -> throw new IllegalStateException("a reply to a " + kind + " operation");
    }
  }

  /** True when {@code result} answers the current linearizable read as last sent. */
  boolean awaits(int replica, QueryResult result) {
    if (byzantine) {
      return invoke != null && request == null && readIds != null
          && readIds[replica] == result.readId();
    }
    return invoke != null && request == null && replica == target && result.readId() == readId;
  }

  void onRead(int replica, QueryResult result) {
    if (!awaits(replica, result)) {
      return;
    }
    long now = host.now();
    if (byzantine) {
      Optional<byte[]> decided = readVote.offer(replica, result);
      if (decided.isPresent()) {
        complete(invoke.completeRead(host.service().readValue(decided.get()), now));
      } else if (readVote.hopeless()) {
        orderRead();
      }
      return;
    }
    complete(result.ok()
        ? invoke.completeRead(host.service().readValue(result.value()), now)
        : invoke.completeFail(now));
  }

  /** True when {@code redirect} refers to the current operation as last sent. */
  boolean awaits(int replica, Ready.Redirect redirect) {
    if (byzantine && redirect.request() == null) {
      return invoke != null && request == null && readIds != null
          && readIds[replica] == redirect.readId();
    }
    if (byzantine) {
      return invoke != null && redirect.busy() && redirect.request() != null
          && redirect.request().equals(request);
    }
    if (invoke == null || replica != target) {
      return false;
    }
    return redirect.request() == null
        ? request == null && redirect.readId() == readId
        : redirect.request().equals(request);
  }

  /** The replica will not handle the operation: retry at its hint, or elsewhere after a pause. */
  void onRedirect(int replica, Ready.Redirect redirect) {
    if (!awaits(replica, redirect)) {
      return;
    }
    if (byzantine && redirect.request() == null) {
      // The replica answers no reads directly (PBFT whose replica set can change): order it.
      orderRead();
      return;
    }
    if (byzantine) {
      // That replica is out of room: the same request to it again after a pause.
      int armed = attempt;
      Request same = request;
      host.after((20 + random.nextInt(30)) * 1_000_000L, () -> {
        if (armed == attempt && same.equals(request)) {
          host.sendRequest(this, replica, same);
        }
      });
      return;
    }
    if (redirect.busy()) {
      // The right replica, out of room for now: the same request again there after a pause.
      retryAfter(replica, (20 + random.nextInt(30)) * 1_000_000L);
      return;
    }
    int hint = redirect.leaderHint();
    boolean useful = hint >= 0 && hint != replica && hint < host.replicas();
    believedLeader = useful ? hint : -1;
    int next = useful ? hint : otherThan(replica);
    retryAfter(next, (useful ? 1 : 20 + random.nextInt(30)) * 1_000_000L);
  }

  private void retryAfter(int replica, long backoffNanos) {
    int armed = attempt;
    host.after(backoffNanos, () -> {
      if (invoke != null && armed == attempt) {
        send(replica);
      }
    });
  }

  private void complete(Op completion) {
    believedLeader = target;
    host.record(this, completion, request == null ? -1 : request.sequence());
    host.completed(this, completion);
    if (host.livenessPhase() && invoke.time() >= host.healedAt()) {
      doneInLiveness++;
    }
    endOperation();
  }

  /** Deadline passed: the outcome is unknown; continue as a new process with a new identity. */
  private void giveUp() {
    Op info = invoke.completeInfo(host.now());
    host.record(this, info, request == null ? -1 : request.sequence());
    host.completed(this, info);
    generation++;
    host.retire(id);
    id = ClientId.of("c" + index + "." + generation);
    process = host.newProcess();
    nextSequence = 1;
    believedLeader = -1;
    endOperation();
  }

  private void endOperation() {
    host.forgetRead(readId);
    forgetReads();
    invoke = null;
    request = null;
    readId = -1;
    attempt++;
    host.after(Network.exponential(random, host.thinkNanos()), this::startNext);
  }
}
