package io.lockstep.order.cuid;

import io.lockstep.order.Commuting;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.agreement.ReliableBroadcast;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.FailureDetector;
import io.lockstep.order.stamped.FailureNotices;
import io.lockstep.order.stamped.FalseSuspicion;
import io.lockstep.order.stamped.HaltThenRejoin;
import io.lockstep.order.stamped.Outbox;
import io.lockstep.order.stamped.Settings;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Order by replica-generated identifiers (paper §3.2.3), fail-stop, as a deterministic
 * {@link Coordination}. A request handed to this replica is disseminated by
 * {@link ReliableBroadcast}; every replica that sees it proposes its candidate uid by the same
 * broadcast; once candidates from every replica not known to have failed are in, the largest
 * held (failed replicas' included, {@link CandidateCount}) is the uid and the request is
 * accepted; the order rule processes the stable accepted request with the smallest uid (these
 * rules: {@link CandidateRules}). Failure detection, relays and the failure detection assumption
 * are those of the stamped-order schemes ({@link FailureNotices}). A replica that stopped rejoins
 * through a live one ({@link CandidateJoin}, both variants).
 *
 * <p>In the {@link UidChoice#ABCAST} variant a replica sends its candidate to the request's
 * coordinator only ({@link CuidMessage.Candidate}, resent until the request is accepted); the
 * coordinator takes the largest of the candidates of the replicas not known failed and
 * broadcasts it ({@link Kind#FINAL}); a replica accepts a request when its final uid arrives.
 * The coordinator is the replica that disseminated the request or, once that one is declared
 * failed, the lowest-numbered replica not declared failed: the failure detection assumption
 * makes every live replica hold the failed coordinator's final uid by then if any does, so the
 * new coordinator decides only a request whose uid nobody accepted. Around a rejoin, see
 * {@link AbcastCoordinator}.
 *
 * <p>A replica that learns it is suspected while it runs halts ({@link FalseSuspicion}); {@link
 * #halting} builds the engine that then rejoins in process, as a restarted replica does.
 */
public final class CandidateOrder implements HaltThenRejoin.Engine {
  static final byte[] STARTED = "lockstep-cuid-order:started".getBytes(StandardCharsets.UTF_8);

  final StampedConfig config;
  private final UidChoice choice;
  private final CandidateRules rules;
  private final int self;
  final List<Integer> members;
  final Map<Integer, Integer> index = new HashMap<>();
  final ReliableBroadcast<Carry> broadcast;
  final FailureDetector detector;
  private final List<String> brokenAssumptions = new ArrayList<>();
  private final CandidateHalt halt;
  private final FalseSuspicion suspicion;
  final CandidateJoin join;
  final AbcastCoordinator abcast;
  final CandidateCount count;
  final Map<Integer, Carry> latest = new HashMap<>();
  final Set<Integer> failed = new HashSet<>();
  /** Per readmitted replica, the acknowledgement counts of its admission: its boundary. */
  final Map<Integer, long[]> boundaries = new HashMap<>();
  final CandidateLedger ledger;
  final Map<Proposal.Id, Long> barriers = new HashMap<>();
  final Outbox out = new Outbox();
  long position;
  long time = Long.MIN_VALUE;
  /** The last position handed to the executor as a request: where its snapshot stands. */
  long handedThrough;
  private boolean owesAck;
  long now = Long.MIN_VALUE;
  long wallClock;
  private long lastBroadcastAt;
  private long lastResendAt;
  private long dropped;

  /**
   * @param quiescence true (always, outside the counterexample test): process a request only once
   *     every live replica has accepted it, so its answer tells the client it may send again
   */
  public CandidateOrder(StampedConfig config, Recovered recovered, boolean quiescence) {
    this(config, recovered, quiescence, UidChoice.EVERY_REPLICA);
  }

  /**
   * @param quiescence as above
   * @param choice who turns candidates into the uid: every replica, or ABCAST's coordinator
   */
  public CandidateOrder(StampedConfig config, Recovered recovered, boolean quiescence,
      UidChoice choice) {
    this(config, recovered, quiescence, choice, Commuting.NOTHING);
  }

  /**
   * @param quiescence as above
   * @param choice as above
   * @param commuting the requests declared commuting, which skip the order rule when they
   *     commute with everything they might follow ({@link CommutingSkip}); {@link
   *     Commuting#NOTHING} orders everything
   */
  public CandidateOrder(StampedConfig config, Recovered recovered, boolean quiescence,
      UidChoice choice, Commuting commuting) {
    this(config, recovered, quiescence, choice, commuting, true);
  }

  /**
   * <b>Test only</b> with {@code boundary} false: a rejoined replica's candidate counts for
   * every request a replica accepts after delivering its admission, instead of for the requests
   * above the admission's boundary; whether a uid waits for it then depends on when each
   * replica delivered the admission, and the simulator must catch the divergence.
   *
   * @param boundary true (always, outside that test)
   */
  public CandidateOrder(StampedConfig config, Recovered recovered, boolean quiescence,
      UidChoice choice, Commuting commuting, boolean boundary) {
    this.config = config;
    this.choice = Objects.requireNonNull(choice, "choice");
    this.rules = new CandidateRules(this, this.choice, Objects.requireNonNull(commuting,
        "commuting"));
    this.self = config.self();
    this.ledger = new CandidateLedger(self);
    this.members = config.members();
    for (int i = 0; i < members.size(); i++) {
      index.put(members.get(i), i);
    }
    this.broadcast = new ReliableBroadcast<>(self, members);
    this.detector = new FailureDetector(self, members, config.failureTimeoutMillis(),
        config.startTimeoutMillis());
    this.halt = new CandidateHalt(this);
    this.suspicion = halt.suspicion;
    boolean empty = Settings.empty(recovered);
    this.join = new CandidateJoin(this, !empty || config.clusterStarted());
    this.abcast = new AbcastCoordinator(this);
    this.count = new CandidateCount(this, boundary, quiescence);
    if (empty) {
      // The marker also makes a later restart rejoin if the cluster file stops saying so.
      out.writes.add(new StorageWrite.HardState(STARTED));
    }
  }

  /**
   * The engine a replica runs: it halts when a peer suspects it while it runs and rejoins in
   * process as a restarted replica would (§7.2); arguments as for the constructor.
   */
  public static Coordination halting(StampedConfig config, Recovered recovered,
      UidChoice choice, Commuting commuting) {
    return new HaltThenRejoin(new CandidateOrder(config, recovered, true, choice, commuting),
        () -> new CandidateOrder(config, HaltThenRejoin.ranBefore(STARTED), true, choice,
            commuting), config.failureTimeoutMillis());
  }

  @Override
  public void step(Input input) {
    boolean asks = input instanceof Input.Propose || input instanceof Input.Read;
    if (!halt.halted().isEmpty()) {
      if (asks) {
        refuse(input, halt.halted());
      }
      return;
    }
    if (join.waitingForState()) {
      if (!join.stepWhileJoining(input)) {
        return;
      }
    } else if (now == Long.MIN_VALUE && asks) {
      refuse(input, "no clock reading yet");
      return;
    } else if (input instanceof Input.SnapshotTaken t) {
      join.snapshotTaken(t);
    } else if (input instanceof Input.Propose p) {
      propose(p.request());
    } else if (input instanceof Input.Read r) {
      barriers.put(disseminate(Kind.BARRIER, null), r.readId());
    } else if (input instanceof Input.Receive r) {
      receive(r.from(), r.message());
    } else if (input instanceof Input.Tick t) {
      tick(t.now(), t.wallClock());
    }
    declareFailures();
    join.poll();
    // The order rule waits while this replica is on probation after a stall (see tick).
    if (!suspicion.onProbation(members, failed, latest::get)) {
      rules.process();
    }
    if (owesAck) {
      issue(Kind.NULL, null, -1, 0, 0);
    }
  }

  private void refuse(Input input, String why) {
    if (input instanceof Input.Propose p) {
      out.redirects.add(new Ready.Redirect(p.request(), -1, self, why, true));
    } else if (input instanceof Input.Read r) {
      out.redirects.add(new Ready.Redirect(null, r.readId(), self, why, true));
    }
  }

  private void propose(Request request) {
    if (rules.unordered() >= config.maxPending()) {
      out.redirects.add(new Ready.Redirect(request, -1, self, rules.unordered()
          + " requests wait to be ordered", true));
      return;
    }
    disseminate(Kind.REQUEST, request);
  }

  private Proposal.Id disseminate(Kind kind, Request request) {
    Carry c = issue(kind, request, -1, 0, 0);
    return new Proposal.Id(self, c.seq());
  }

  Carry issue(Kind kind, Request request, int reqOrigin, long reqSeq, long counter) {
    return issue(kind, request, reqOrigin, reqSeq, counter, -1);
  }

  Carry issue(Kind kind, Request request, int reqOrigin, long reqSeq, long counter,
      int winner) {
    long[] acks = new long[members.size()];
    for (int i = 0; i < acks.length; i++) {
      acks[i] = broadcast.receivedThrough(members.get(i));
    }
    long suspects = FailureNotices.mask(detector, index);
    Carry c = broadcast.originate(seq -> new Carry(self, seq, acks, suspects, wallClock, kind,
        reqOrigin, reqSeq, counter, request, winner)).payload();
    for (int m : members) {
      if (m != self && !detector.suspects(m)) {
        out.send(m, c);
      }
    }
    latest.put(self, c);
    owesAck = false;
    lastBroadcastAt = now;
    apply(c);
    return c;
  }

  private void receive(int from, ProtocolMessage message) {
    halt.heard(from, message, now);
    if (message instanceof CuidMessage.Candidate c) {
      if (choice != UidChoice.ABCAST) {
        dropped++;
        return;
      }
      abcast.receive(from, c);
      return;
    }
    if (message instanceof CuidMessage.JoinRequest j && j.joiner() == from
        && index.containsKey(from) && from != self) {
      join.joinRequested(from);
      return;
    }
    if (!(message instanceof Carry c) || !index.containsKey(c.origin()) || c.origin() == self
        || c.acks().length != members.size() || !fitsVariant(c)) {
      dropped++;
      return;
    }
    if (halt.haltsOn(c)) {
      return;
    }
    for (ReliableBroadcast.Data<Carry> d :
        broadcast.receive(new ReliableBroadcast.Data<>(c.origin(), c.seq(), c))) {
      deliver(d.payload());
    }
  }

  /**
   * A candidate broadcast belongs to the every-replica variant, a final uid to ABCAST; a replica
   * configured for the other variant (a cluster file that differs between replicas) is refused.
   */
  private boolean fitsVariant(Carry c) {
    return switch (c.kind()) {
      case CANDIDATE -> choice == UidChoice.EVERY_REPLICA && index.containsKey(c.requestOrigin());
      case FINAL -> choice == UidChoice.ABCAST && index.containsKey(c.requestOrigin())
          && index.containsKey(c.winner());
      case ADMIT -> index.containsKey(c.requestOrigin());
      default -> true;
    };
  }

  private void deliver(Carry c) {
    for (int i = 0; i < members.size(); i++) {
      broadcast.acknowledge(c.origin(), members.get(i), c.ack(i));
      if (c.ack(i) > 0) {
        detector.started(members.get(i)); // someone heard it: it has started
      }
    }
    if (failed.contains(c.origin())) {
      suspicion.spokeAfterDeclared(c.origin());
      dropped++; // cannot happen while the failure detection assumption holds
      brokenAssumptions.add("replica " + self + ": " + c + " delivered after replica "
          + c.origin() + " was declared failed (the failure detection assumption broke:"
          + " delays beyond the configured bound?)");
      return;
    }
    latest.put(c.origin(), c);
    detector.heard(c.origin());
    join.heardFrom(c.origin());
    if (choice == UidChoice.ABCAST) {
      abcast.acknowledged(); // it may acknowledge a request a decision waited for
    }
    if (c.kind() != Kind.NULL) {
      owesAck = true;
      apply(c);
    }
  }

  /** A request, candidate, final uid or admission (this replica's own or delivered). */
  void apply(Carry c) {
    rules.apply(c);
  }

  /** This replica, as donor, admits {@code joiner} back (paper §7.2). */
  void admit(int joiner) {
    issue(Kind.ADMIT, null, joiner, 0, 0);
  }

  /** Whether the request itself has arrived here (so a missing proposal was processed). */
  boolean delivered(Proposal.Id id) {
    return broadcast.receivedThrough(id.origin()) >= id.seq();
  }

  /** Accepts r once its uid is known ({@link CandidateRules#tryAccept}). */
  void tryAccept(Proposal p) {
    rules.tryAccept(p);
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
      broadcast.failed(q);
    }
    if (stalled || now - lastBroadcastAt >= config.nullIntervalMillis()) {
      issue(Kind.NULL, null, -1, 0, 0);
    }
    if (stalled) {
      suspicion.probation(latest.get(self).seq()); // hold the order until the peers answer it
    }
    if (now - lastResendAt >= config.resendMillis()) {
      lastResendAt = now;
      for (int m : members) {
        for (ReliableBroadcast.Data<Carry> d : broadcast.toResend(m)) {
          out.send(m, d.payload());
        }
      }
      if (choice == UidChoice.ABCAST) {
        // A candidate is a plain message, acknowledged only by the final uid it helps choose.
        List.copyOf(ledger.seenNotAccepted().values()).forEach(abcast::offer);
      }
    }
  }

  private void declareFailures() {
    boolean changed = false;
    for (int q : detector.suspected()) {
      if (!failed.contains(q) && FailureNotices.declarable(q, self, members, index, detector,
          latest::get, broadcast.receivedThrough(q))) {
        failed.add(q);
        suspicion.declared(q, position);
        join.declaredFailed(q);
        changed = true;
      }
    }
    if (changed) {
      for (Proposal p : List.copyOf(ledger.seenNotAccepted().values())) {
        if (choice == UidChoice.ABCAST) {
          abcast.offer(p); // to a new coordinator, or decide without the failed one's
        } else {
          tryAccept(p);
        }
      }
    }
  }

  @Override
  public Ready ready() {
    return out.drain();
  }

  @Override
  public Status status() {
    return new Status(self, Role.FOLLOWER, 0, -1, position,
        position + ledger.accepted().size(), 0);
  }

  @Override
  public long dropped() {
    return dropped;
  }

  /**
   * ABCAST: how many uids this replica chose as the coordinator that took over from a failed
   * disseminator.
   */
  public long takeovers() {
    return abcast.takeovers();
  }

  /**
   * Requests applied before the order rule reached them because they commute with everything
   * they might follow (S12).
   */
  public long appliedEarly() {
    return rules.appliedEarly();
  }

  /** Requests and read barriers known here (by a candidate at least) and not yet processed. */
  int unordered() {
    return rules.unordered();
  }

  /** Replicas declared failed. */
  public Set<Integer> failedReplicas() {
    return Set.copyOf(failed);
  }

  /** Whether this replica is rejoining and still waits for a live replica's state. */
  public boolean joining() {
    return join.waitingForState();
  }

  @Override
  public boolean wantsSnapshot() {
    return halt.halted().isEmpty() && join.awaitingSnapshot();
  }

  /** Rejoining counts as repairing: it has no state yet, and takes it from a peer. */
  @Override
  public boolean repairing() {
    return join.waitingForState();
  }

  @Override
  public String repairReason() {
    return repairing() ? join.waitingReason() : "";
  }

  // What CandidateJoin, CandidateCount, CandidateHalt, AbcastCoordinator and CandidateRules work
  // with besides the package-private fields: this replica's parts, shared (the requests being
  // ordered are kept by CandidateRules).

  /** The requests being ordered here. */
  java.util.Collection<Proposal> proposals() {
    return rules.proposals();
  }

  /** Whether {@code id} is being ordered here (seen, or named by a candidate or uid). */
  boolean pending(Proposal.Id id) {
    return rules.pending(id);
  }

  /** What this replica knows of {@code id}, recorded from now on. */
  Proposal proposal(Proposal.Id id) {
    return rules.proposal(id);
  }

  /** A message dropped (counted for {@link #dropped}). */
  void drop() {
    dropped++;
  }

  /** An assumption found broken, for {@link #drainBrokenAssumptions}; no rejoin repairs it. */
  void brokenAssumption(String why) {
    suspicion.unrepairable();
    brokenAssumptions.add(why);
  }

  /** The halt's own report: the rejoin may repair it, unlike {@link #brokenAssumption}'s. */
  void brokenAssumptionUnderHalt(String why) {
    brokenAssumptions.add(why);
  }

  /** {@code joiner}, declared failed, was readmitted here: what it said late is repaired. */
  void readmitted(int joiner) {
    suspicion.readmitted(joiner);
  }

  @Override
  public List<String> drainRepairedAssumptions() {
    return suspicion.drainRepaired(!halt.halted().isEmpty());
  }

  @Override
  public String halted() {
    return halt.halted();
  }

  @Override
  public boolean orderInDoubt() {
    return suspicion.orderInDoubt(!halt.halted().isEmpty(), position);
  }

  @Override
  public List<String> drainBrokenAssumptions() {
    List<String> out = List.copyOf(brokenAssumptions);
    brokenAssumptions.clear();
    return out;
  }
}
