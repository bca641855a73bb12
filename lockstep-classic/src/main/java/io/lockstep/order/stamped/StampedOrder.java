package io.lockstep.order.stamped;

import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.agreement.ReliableBroadcast;
import io.lockstep.order.stamped.StampedMessage.Broadcast;
import io.lockstep.order.stamped.StampedMessage.JoinRequest;
import io.lockstep.order.stamped.StampedMessage.JoinState;
import io.lockstep.order.stamped.StampedMessage.Kind;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The order rule over issuer-stamped uids (paper §3.2), as a deterministic {@link Coordination}:
 * a request handed to this replica is stamped and broadcast ({@link ReliableBroadcast}, FIFO per
 * origin); every replica keeps the requests it received in uid order and processes the stable one
 * with the smallest uid next ({@link Stability}). The position handed to the executor is the
 * count of requests and read barriers processed, the same at every replica because they process
 * the same uids in the same order.
 *
 * <p>Fail-stop. A restarted replica (its storage holds the start marker) rejoins by the
 * integration protocol of §7.2 ({@link Integration}): it asks a live replica, which orders a
 * {@link Kind#JOIN}, stops right after processing it, and hands over the executor's snapshot
 * there with the order's state; until then the joiner refuses requests as busy.
 *
 * <p>Assumptions that cannot be checked in advance are watched: a broadcast delivered from a
 * replica after it was declared failed, or one whose uid is below what was already processed,
 * would be misordered; it is dropped and reported ({@link #assumptionBreaches()}), never
 * silently processed. A replica that learns it is suspected while it runs halts ({@link
 * FalseSuspicion}); {@link #halting} builds the engine that then rejoins in process.
 */
public final class StampedOrder implements HaltThenRejoin.Engine {
  /** The durable start marker: its presence at start means this replica already ran. */
  static final byte[] STARTED = "lockstep-stamped-order:started".getBytes(StandardCharsets.UTF_8);

  private final StampedConfig config;
  private final int self;
  private final List<Integer> members;
  private final Map<Integer, Integer> index = new HashMap<>();
  private final UidScheme scheme;
  private final ReliableBroadcast<Broadcast> broadcast;
  private final FailureDetector detector;
  private final Integration integration;
  final Map<Integer, Broadcast> latest = new HashMap<>();
  final Set<Integer> failed = new HashSet<>();
  final TreeMap<Uid, Broadcast> pending = new TreeMap<>();
  private final Map<Uid, Long> barriers = new HashMap<>();
  private final Outbox out = new Outbox();
  private final List<String> breaches = new ArrayList<>();
  private final List<String> undrainedBreaches = new ArrayList<>();
  private final FalseSuspicion suspicion;
  /** Why this replica halted (a peer suspects it), or "" while it serves. */
  private String halted = "";
  long position;
  long time = Long.MIN_VALUE;
  Uid processedThrough = Uid.ZERO;
  /** The last position handed to the executor: where its snapshot stands. */
  long handedThrough;
  private Uid lastOwn = Uid.ZERO;
  private boolean owesAck;
  long now = Long.MIN_VALUE;
  long wallClock;
  private long lastBroadcastAt;
  private long lastResendAt;
  private long dropped;

  /**
   * @param recovered what storage held: {@link Recovered#EMPTY} for a new replica; anything else
   *     means it ran before and stopped, so it rejoins (paper §7.2). Empty storage rejoins too
   *     when {@code config.clusterStarted()}: the cluster ran before, so this is a wiped or
   *     replacement replica, not a first start.
   */
  public StampedOrder(StampedConfig config, UidScheme scheme, Recovered recovered) {
    this(config, scheme, recovered, true);
  }

  /**
   * <b>Test only</b> with {@code holdDirect} false: a rejoined replica delivers a broadcast that
   * came directly from its origin at once, skipping the earlier ones of that origin it still
   * waits for (breaks §7.2.1, for the simulator to catch).
   */
  public StampedOrder(StampedConfig config, UidScheme scheme, Recovered recovered,
      boolean holdDirect) {
    this.config = config;
    this.self = config.self();
    this.members = config.members();
    for (int i = 0; i < members.size(); i++) {
      index.put(members.get(i), i);
    }
    this.scheme = scheme;
    this.suspicion = new FalseSuspicion(self, index.get(self), config.resendMillis(),
        config.failureTimeoutMillis());
    this.broadcast = new ReliableBroadcast<>(self, members);
    this.detector = new FailureDetector(self, members, config.failureTimeoutMillis(),
        config.startTimeoutMillis());
    boolean empty = Settings.empty(recovered);
    this.integration = new Integration(this, !empty || config.clusterStarted(), holdDirect);
    if (empty) {
      // The marker also makes a later restart rejoin if the cluster file stops saying so.
      out.writes.add(new StorageWrite.HardState(STARTED));
    }
  }

  /**
   * The engine for a replica that runs the scheme {@code scheme} builds: it halts when a peer
   * suspects it while it runs and rejoins in process as a restarted replica would (§7.2).
   */
  public static Coordination halting(StampedConfig config, Supplier<UidScheme> scheme,
      Recovered recovered) {
    return new HaltThenRejoin(new StampedOrder(config, scheme.get(), recovered),
        () -> new StampedOrder(config, scheme.get(), HaltThenRejoin.ranBefore(STARTED)),
        config.failureTimeoutMillis());
  }

  @Override
  public void step(Input input) {
    if (!halted.isEmpty()) {
      refuseHalted(input);
      return;
    }
    if (integration.waitingForState()) {
      if (!integration.stepWhileJoining(input)) {
        return;
      }
    } else {
      dispatch(input);
    }
    declareFailures();
    process();
    answerIfOwed();
  }

  /**
   * TransferLeadership (no leader) and Persisted (nothing leaves before durability) change
   * nothing here; SnapshotTaken matters only to a donor (the state e[r_join] of §7.2).
   */
  private void dispatch(Input input) {
    if (input instanceof Input.SnapshotTaken t) {
      integration.snapshotTaken(t);
    } else if (input instanceof Input.Propose p) {
      propose(p.request());
    } else if (input instanceof Input.Read r) {
      read(r.readId());
    } else if (input instanceof Input.Receive r) {
      receive(r.from(), r.message());
    } else if (input instanceof Input.Tick t) {
      tick(t.now(), t.wallClock());
    }
  }

  private void propose(Request request) {
    if (now == Long.MIN_VALUE) {
      // A uid needs a clock reading; a real-time uid stamped from nothing would look ancient to
      // test I and be processed before requests that really came first.
      out.redirects.add(new Ready.Redirect(request, -1, self, "no clock reading yet", true));
      return;
    }
    if (pending.size() >= config.maxPending()) {
      out.redirects.add(new Ready.Redirect(request, -1, self, pending.size()
          + " requests wait to become stable", true));
      return;
    }
    issue(Kind.REQUEST, request);
  }

  private void read(long readId) {
    if (now == Long.MIN_VALUE) {
      out.redirects.add(new Ready.Redirect(null, readId, self, "no clock reading yet", true));
      return;
    }
    barriers.put(issue(Kind.BARRIER, null), readId);
  }

  /** Stamps and broadcasts one of this replica's broadcasts (LC1 for logical clocks). */
  private Uid issue(Kind kind, Request request) {
    return issue(kind, request, StampedMessage.NO_JOINER);
  }

  /** As above; {@code joiner} for a {@link Kind#JOIN}. */
  Uid issue(Kind kind, Request request, int joiner) {
    long uidTime = scheme.stamp(wallClock);
    long[] acks = new long[members.size()];
    for (int i = 0; i < acks.length; i++) {
      acks[i] = broadcast.receivedThrough(members.get(i));
    }
    long suspects = FailureNotices.mask(detector, index);
    ReliableBroadcast.Data<Broadcast> data = broadcast.originate(seq ->
        new Broadcast(self, seq, uidTime, wallClock, acks, suspects, kind, request, joiner));
    Broadcast b = data.payload();
    for (int m : members) {
      if (m != self && !detector.suspects(m)) {
        out.send(m, b);
      }
    }
    latest.put(self, b);
    lastOwn = b.uid();
    owesAck = false;
    lastBroadcastAt = now;
    if (kind != Kind.NULL) {
      pending.put(b.uid(), b);
    }
    if (kind == Kind.JOIN) {
      integration.joinDelivered(joiner);
    }
    return b.uid();
  }

  private void receive(int from, io.lockstep.order.ProtocolMessage message) {
    if (message instanceof JoinRequest j && j.joiner() == from && index.containsKey(from)
        && from != self) {
      integration.joinRequested(from);
      return;
    }
    if (!(message instanceof Broadcast b) || !wellFormed(b)) {
      dropped++;
      return;
    }
    if (suspicion.halts(b.origin(), b.suspects(), b.seq(),
        broadcast.receivedThrough(b.origin()), detector.suspects(b.origin()))) {
      halt(b.origin());
      return;
    }
    if (detector.suspects(from) && suspicion.due(from, now)) {
      tellSuspected(from);
    }
    integration.beforeReceive(from, b);
    for (ReliableBroadcast.Data<Broadcast> d :
        broadcast.receive(new ReliableBroadcast.Data<>(b.origin(), b.seq(), b))) {
      deliver(d.payload());
    }
  }

  private boolean wellFormed(Broadcast b) {
    return index.containsKey(b.origin()) && b.origin() != self
        && b.acks().length == members.size()
        && (b.kind() != Kind.JOIN || index.containsKey(b.joiner()));
  }

  /** A broadcast delivered in its origin's FIFO order. */
  private void deliver(Broadcast b) {
    int origin = b.origin();
    for (int i = 0; i < members.size(); i++) {
      broadcast.acknowledge(origin, members.get(i), b.ack(i));
      if (b.ack(i) > 0) {
        detector.started(members.get(i)); // someone heard it: it has started
      }
    }
    if (failed.contains(origin) && !integration.admitting(origin)) {
      suspicion.spokeAfterDeclared(origin);
      breach("broadcast " + b + " delivered after replica " + origin + " was declared failed"
          + " (the failure detection assumption broke: delays beyond the configured bound?)");
      return;
    }
    scheme.received(b.uidTime());
    latest.put(origin, b);
    detector.heard(origin);
    integration.heardFrom(origin);
    if (b.kind() == Kind.JOIN) {
      integration.joinDelivered(b.joiner());
    }
    if (b.kind() == Kind.NULL) {
      return;
    }
    if (!processedThrough.before(b.uid())) {
      suspicion.unrepairable();
      breach("broadcast " + b + " arrived after uid " + processedThrough + " was processed");
      return;
    }
    pending.put(b.uid(), b);
    owesAck = true;
  }

  private void breach(String why) {
    breaches.add(why);
    undrainedBreaches.add("replica " + self + ": " + why);
    dropped++;
  }

  /**
   * A peer's broadcast says this replica failed: it stops for good (fail-stop), refusing its
   * clients' pending reads and requests so they retry elsewhere rather than wait.
   */
  private void halt(int by) {
    halted = suspicion.reason(by, scheme.name(), config.failureTimeoutMillis());
    breaches.add(halted);
    undrainedBreaches.add(halted);
    barriers.values().forEach(readId ->
        out.redirects.add(new Ready.Redirect(null, readId, -1, halted, true)));
    barriers.clear();
    for (Broadcast b : pending.values()) {
      if (b.origin() == self && b.kind() == Kind.REQUEST) {
        out.redirects.add(new Ready.Redirect(b.request(), -1, -1, halted, true));
      }
    }
  }

  private void refuseHalted(Input input) {
    if (input instanceof Input.Propose p) {
      out.redirects.add(new Ready.Redirect(p.request(), -1, -1, halted, true));
    } else if (input instanceof Input.Read r) {
      out.redirects.add(new Ready.Redirect(null, r.readId(), -1, halted, true));
    }
  }

  /**
   * {@code peer}, which this replica suspects, still speaks, and hears nothing from here: hand
   * it a broadcast that says so ({@link FalseSuspicion}).
   */
  private void tellSuspected(int peer) {
    Broadcast own = latest.get(self);
    if (own == null || (own.suspects() & (1L << index.get(peer))) == 0) {
      issue(Kind.NULL, null); // none since the suspicion began
      own = latest.get(self);
    }
    out.send(peer, own);
  }

  /** {@code joiner}, declared failed, was readmitted here: what it said late is repaired. */
  void readmitted(int joiner) {
    suspicion.readmitted(joiner);
  }

  private void tick(long tickNow, long tickWall) {
    if (now == Long.MIN_VALUE) {
      lastBroadcastAt = tickNow;
      lastResendAt = tickNow;
    }
    boolean stalled = now != Long.MIN_VALUE && suspicion.stalledFor(tickNow - now);
    now = Math.max(now, tickNow);
    wallClock = tickWall;
    for (int q : detector.tick(now)) {
      broadcast.failed(q); // relay what we hold of q from now on (IC1)
    }
    if (stalled || now - lastBroadcastAt >= config.nullIntervalMillis()) {
      issue(Kind.NULL, null);
    }
    if (stalled) {
      suspicion.probation(latest.get(self).seq()); // hold the order until the peers answer it
    }
    if (now - lastResendAt >= config.resendMillis()) {
      lastResendAt = now;
      for (int m : members) {
        for (ReliableBroadcast.Data<Broadcast> d : broadcast.toResend(m)) {
          out.send(m, d.payload());
        }
      }
    }
  }

  /** Declares suspected replicas failed once {@link FailureNotices} allows it. */
  private void declareFailures() {
    for (int q : detector.suspected()) {
      if (!failed.contains(q) && FailureNotices.declarable(q, self, members, index, detector,
          latest::get, broadcast.receivedThrough(q))) {
        failed.add(q);
        suspicion.declared(q, position);
      }
    }
  }

  /**
   * The order rule: process the stable request with the smallest uid, while there is one. A
   * donor stops right after a join it issued until the executor's snapshot there is taken.
   */
  private void process() {
    if (suspicion.onProbation(members, failed, latest::get)) {
      return;
    }
    while (!pending.isEmpty() && !integration.awaitingSnapshot()) {
      Broadcast next = pending.firstEntry().getValue();
      if (!Stability.stable(next, self, members, latest, failed, index, scheme, wallClock,
          integration.timeTestTrusted(next.uidTime()))) {
        return;
      }
      pending.pollFirstEntry();
      if (!processedThrough.before(next.uid())) {
        throw new IllegalStateException("order rule broken: uid " + next.uid()
            + " after " + processedThrough + " at replica " + self);
      }
      processedThrough = next.uid();
      position++;
      if (next.kind() == Kind.REQUEST) {
        time = Math.max(time, next.wallClock());
        out.stable.add(new Ordered(position, time, next.request()));
        handedThrough = position;
      } else if (next.kind() == Kind.JOIN) {
        integration.joinProcessed(next);
      } else {
        Long readId = barriers.remove(next.uid());
        if (readId != null) {
          out.reads.add(new Ready.ReadGrant(readId, position));
        }
      }
    }
  }

  /**
   * Others may be waiting for this replica: for a broadcast with a uid above a pending request's
   * (the waiting test), or for its acknowledgement of one. Answer at once with a null request
   * rather than at the next null interval.
   */
  private void answerIfOwed() {
    if (now == Long.MIN_VALUE) {
      return; // no clock reading yet
    }
    boolean waitedFor = !pending.isEmpty() && !pending.lastKey().before(lastOwn);
    if ((waitedFor || owesAck) && scheme.usesWaitTest()) {
      issue(Kind.NULL, null);
    }
  }

  @Override
  public Ready ready() {
    return out.drain();
  }

  @Override
  public Status status() {
    return new Status(self, Role.FOLLOWER, 0, -1, position, position + pending.size(), 0);
  }

  @Override
  public long dropped() {
    return dropped;
  }

  @Override
  public List<String> drainBrokenAssumptions() {
    List<String> out = List.copyOf(undrainedBreaches);
    undrainedBreaches.clear();
    return out;
  }

  @Override
  public List<String> drainRepairedAssumptions() {
    return suspicion.drainRepaired(!halted.isEmpty());
  }

  @Override
  public String halted() {
    return halted;
  }

  @Override
  public boolean orderInDoubt() {
    return suspicion.orderInDoubt(!halted.isEmpty(), position);
  }

  /** Why broadcasts were dropped because an assumption broke, oldest first. */
  public List<String> assumptionBreaches() {
    return List.copyOf(breaches);
  }

  /** Replicas declared failed at the order level. */
  public Set<Integer> failedReplicas() {
    return Set.copyOf(failed);
  }

  /** The scheme's current clock (T for logical clocks), for tests. */
  public Uid lastIssued() {
    return lastOwn;
  }

  /** Whether this replica is rejoining and still waits for a live replica's state. */
  public boolean joining() {
    return integration.waitingForState();
  }

  @Override
  public boolean wantsSnapshot() {
    return halted.isEmpty() && integration.awaitingSnapshot();
  }

  /** Rejoining counts as repairing: it has no state yet, and takes it from a peer. */
  @Override
  public boolean repairing() {
    return integration.waitingForState();
  }

  @Override
  public String repairReason() {
    return repairing() ? integration.waitingReason() : "";
  }

  // What Integration works with: this replica's parts, shared rather than copied.

  StampedConfig config() {
    return config;
  }

  UidScheme scheme() {
    return scheme;
  }

  ReliableBroadcast<Broadcast> broadcast() {
    return broadcast;
  }

  FailureDetector detector() {
    return detector;
  }

  Outbox out() {
    return out;
  }

  Map<Integer, Integer> index() {
    return index;
  }
}
