package io.lockstep.order.pbft;

import io.lockstep.journal.Event;
import io.lockstep.order.CheckpointSeal;
import io.lockstep.order.Configuration;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A PBFT-class coordination protocol core (Castro and Liskov, OSDI 1999; TOCS 2002) for 3t+1
 * replicas of which t may be Byzantine, as a deterministic {@link Coordination}: the thin
 * coordinator that owns the state and dispatches inputs to its parts ({@link NormalCase},
 * {@link Checkpoints}, {@link ViewChanges}, {@link StateTransfer}, {@link Retransmit}). What it
 * must not forget in a crash goes to stable storage through its Readys ({@link Durable}), and
 * {@link #recover} rebuilds a restarted replica from it ({@link Recovery}).
 *
 * <p>How the runtime feeds it (see the package documentation for the rules):
 * <ul>
 *   <li>{@link Input.Propose}: a request that arrived from its client over the client's own
 *       authenticated connection; in Byzantine mode clients send every request to every
 *       replica, and a backup prepares only batches whose requests it holds this way;
 *   <li>{@link Input.Read}: granted at once at this replica's executed position: every replica
 *       answers reads at its current state and the client needs 2t+1 matching answers;
 *   <li>{@link Input.SnapshotTaken}: the executor's state after a checkpoint's sequence number,
 *       which {@link #wantsSnapshot()} asked for, at once or, after an
 *       {@link Input.StateCaptured}, once the runtime has encoded and digested it elsewhere;
 *   <li>{@link Input.Tick}: timers (request time-outs, the slow-primary checks, view-change
 *       back-off, retransmission) on the monotonic clock, and the wall clock for agreed time.
 * </ul>
 *
 * <p>Not thread-safe: one loop thread owns it.
 */
public final class Pbft implements Coordination {
  final PbftConfig config;
  /** A deliberately wrong quorum for tests' broken variants; null in every real replica. */
  private final Quorum brokenQuorum;
  final Membership membership;
  final Outbox out;
  final Pending pending;
  final TreeMap<Long, Slot> slots = new TreeMap<>();
  /** Slots whose digests changed since the last {@link #ready()}: the invariants check them. */
  final ChangedSlots changedSlots = new ChangedSlots();
  private final java.util.function.Function<Long, Slot> newSlot =
      seq -> new Slot(seq, changedSlots);
  final NormalCase normal;
  final Checkpoints checkpoints;
  final ViewChanges viewChanges;
  /** Who suspects the current primary: t+1 suspicions, its own among them, start a view change. */
  final Suspicions suspicions;
  final StateTransfer transfer;
  final Retransmit retransmit;
  final Durable durable;
  /** Which votes may leave before their records are durable, and abstention after a restart. */
  final EarlyVotes early;
  final Repair repair;
  /** Whether an empty data directory was wiped: asked of the peers ({@link WipeCheck}). */
  final WipeCheck wipe;
  final ThroughputWatch watch;
  /** Who has not been heard from for how long, by this replica and by t+1 reports. */
  final Silence silence;
  /** The configurator's proposals (primary) and checks of them (backups); off by default. */
  final Replacement replacement;
  /** How long requests take to execute here lately: the request timer's length. */
  final Patience executePatience;
  /** How long the primary takes to order a request this replica holds: the slow-primary bound. */
  final Patience orderPatience;
  /** What {@link #configuration()} reports, kept until it changes. */
  final ReportedConfiguration reportedConfiguration = new ReportedConfiguration(this);
  /** How far adaptation may stretch a configured bound: 2^2 = 4 times. */
  private static final int ADAPT_EXPONENT = 2;
  private final Map<String, Long> drops = new TreeMap<>();
  /** Journal events since the last {@link #drainEvents()}: why each view change started. */
  private List<Event> events = new ArrayList<>();
  private long dropped;

  /** Current view; while {@link #changingView}, the view being changed to. */
  long view;
  boolean changingView;
  /** Consecutive view changes without progress: time-outs are doubled this many times. */
  int backoff;
  /** Low watermark h: the stable checkpoint's sequence number. */
  long low;
  long lastExecuted;
  /** Agreed time of the last executed batch (never decreases). */
  long executedTime;
  /** Monotonic and wall clock readings of the latest tick; -1 before the first. */
  long now = -1;
  long wall = -1;
  boolean ticked;

  /** Builds replica {@code config.self()} from empty state, with Aardvark's throughput check. */
  public Pbft(PbftConfig config) {
    this(config, ThroughputPolicy.aardvark());
  }

  /** The same with another throughput check ({@link ThroughputPolicy#off()} for none). */
  public Pbft(PbftConfig config, ThroughputPolicy throughput) {
    this(config, null, throughput, ConfigurationReader.FIXED);
  }

  /**
   * The same, reading the replica set from each stable checkpoint's state with {@code reader}
   * (docs/ARCHITECTURE.md, "Membership changes" in the PBFT section).
   */
  public Pbft(PbftConfig config, ThroughputPolicy throughput, ConfigurationReader reader) {
    this(config, null, throughput, reader);
  }

  /** With another quorum: tests build deliberately broken variants with it. */
  Pbft(PbftConfig config, Quorum quorum) {
    this(config, Objects.requireNonNull(quorum, "quorum"), ThroughputPolicy.aardvark(),
        ConfigurationReader.FIXED, Bug.NONE);
  }

  private Pbft(PbftConfig config, Quorum quorum, ThroughputPolicy throughput,
      ConfigurationReader reader) {
    this(config, quorum, throughput, reader, Bug.NONE);
  }

  /** Deliberate faults for tests that show the checkers catch them; NONE in every real replica. */
  enum Bug {
    NONE,
    /** Votes while it repairs damaged storage, as if nothing had been lost. */
    VOTE_WHILE_REPAIRING,
    /** Votes again after a restart as if every vote it sent early had been durable. */
    FORGET_EARLY_VOTES
  }

  private Pbft(PbftConfig config, Quorum quorum, ThroughputPolicy throughput,
      ConfigurationReader reader, Bug bug) {
    this.config = Objects.requireNonNull(config, "config");
    this.brokenQuorum = quorum;
    this.membership = new Membership(this, Objects.requireNonNull(reader, "reader"));
    this.out = new Outbox(config.self(), () -> membership.current().members());
    this.pending = new Pending(config.maxPendingRequests());
    this.normal = new NormalCase(this);
    this.checkpoints = new Checkpoints(this);
    this.viewChanges = new ViewChanges(this);
    this.suspicions = new Suspicions(this);
    this.transfer = new StateTransfer(this);
    this.retransmit = new Retransmit(this);
    this.durable = new Durable(this);
    this.early = new EarlyVotes(this, bug == Bug.FORGET_EARLY_VOTES);
    this.repair = new Repair(this, bug == Bug.VOTE_WHILE_REPAIRING);
    this.wipe = new WipeCheck(this);
    this.watch = new ThroughputWatch(this, Objects.requireNonNull(throughput, "throughput"));
    this.silence = new Silence(config.retransmitMs());
    this.replacement = new Replacement(this);
    // The configured bounds are floors; adaptation stops at 4x them (2 s and 600 ms by
    // default), which is as far as a faulty primary can stretch a bound. The back-off still
    // doubles from there, never beyond where it alone would reach (timeout(), capped()).
    this.executePatience = new Patience(config.requestTimeoutMs(),
        config.requestTimeoutMs() << ADAPT_EXPONENT);
    this.orderPatience = new Patience(config.proposeDelayMs(),
        config.proposeDelayMs() << ADAPT_EXPONENT);
  }

  /**
   * Rebuilds replica {@code config.self()} from what it wrote to stable storage before it
   * stopped ({@link Recovery}); from {@link Recovered#EMPTY} it starts afresh. Damaged storage
   * ({@link Recovered#damage()}) starts a repair: the replica votes again only after it has
   * learnt from its peers how far its lost votes could reach ({@link Repair}).
   *
   * @throws IllegalArgumentException if the storage is not this cluster's pbft storage, or is
   *     damaged in a cluster too small to repair from (the message says what to do)
   */
  public static Pbft recover(PbftConfig config, Recovered recovered) {
    return recover(config, ThroughputPolicy.aardvark(), recovered);
  }

  /** The same with another throughput check ({@link ThroughputPolicy#off()} for none). */
  public static Pbft recover(PbftConfig config, ThroughputPolicy throughput,
      Recovered recovered) {
    return recover(config, throughput, ConfigurationReader.FIXED, recovered);
  }

  /** The same, reading the replica set from checkpointed state with {@code reader}. */
  public static Pbft recover(PbftConfig config, ThroughputPolicy throughput,
      ConfigurationReader reader, Recovered recovered) {
    return recover(config, throughput, reader, recovered, Bug.NONE);
  }

  /**
   * The same with the wipe check on ({@link WipeCheck}; what the runtime builds): a replica that
   * finds no hard state takes a new incarnation from {@code seed}, a value the runtime draws
   * anew at every start, and votes nowhere until its peers' answers show whether its data
   * directory was wiped (then it repairs) or it starts for the first time.
   */
  public static Pbft recover(PbftConfig config, ThroughputPolicy throughput,
      ConfigurationReader reader, Recovered recovered, long seed) {
    return recover(config, throughput, reader, recovered, Bug.NONE, seed);
  }

  /** The same with a deliberate fault, for tests. */
  static Pbft recover(PbftConfig config, ThroughputPolicy throughput,
      ConfigurationReader reader, Recovered recovered, Bug bug) {
    return recover(config, throughput, reader, recovered, bug, null);
  }

  /** The same with a deliberate fault and the wipe check on when {@code seed} is not null. */
  static Pbft recover(PbftConfig config, ThroughputPolicy throughput,
      ConfigurationReader reader, Recovered recovered, Bug bug, Long seed) {
    Pbft pbft = new Pbft(config, null, throughput, reader, bug);
    Recovery.restore(pbft, Objects.requireNonNull(recovered, "recovered"), seed);
    Invariants.checkAll(pbft);
    return pbft;
  }

  /**
   * Turns the configurator on ({@link PbftConfigurator}, {@link Replacement}): a member that
   * t+1 replicas report silent past {@code unreachableMillis} is replaced by a spare through an
   * ordered {@code SetReplicas}, without an operator. It acts only where the replica set can
   * change ({@code pbft.replica-set=ordered}). A member never heard since this replica started
   * is given {@code startGraceMillis} more ({@link Silence#startGrace}).
   */
  @Override
  public void replaceSilentVoters(List<Integer> spares, long unreachableMillis,
      long startGraceMillis) {
    replacement.configure(new PbftConfigurator(unreachableMillis, spares));
    silence.startGrace(startGraceMillis);
  }

  /** The primary of {@code v}: members[v mod n] of the configuration in force. */
  int primary(long v) {
    return membership.current().primary(v);
  }

  /** The quorum of the configuration in force. */
  Quorum quorum() {
    return brokenQuorum != null ? brokenQuorum : membership.current().quorum();
  }

  /** The quorum of the configuration that orders {@code seq}. */
  Quorum quorumFor(long seq) {
    return brokenQuorum != null ? brokenQuorum : membership.forSeq(seq).quorum();
  }

  /** The high watermark: h + L, or the next configuration boundary if it comes first. */
  long high() {
    return Math.min(low + config.window(), membership.windowEnd());
  }

  boolean isPrimary() {
    return primary(view) == config.self();
  }

  int self() {
    return config.self();
  }

  /**
   * The first position sequence number {@code seq}'s batch occupies: each sequence number spans
   * {@code maxBatch} positions, so request i of the batch at seq is at
   * {@code (seq-1)·maxBatch + 1 + i} and positions stay strictly increasing with gaps.
   */
  long position(long seq) {
    return (seq - 1) * config.maxBatch() + 1;
  }

  /** The last position {@code seq} spans. */
  long lastPosition(long seq) {
    return seq * config.maxBatch();
  }

  Slot slot(long seq) {
    return slots.computeIfAbsent(seq, newSlot);
  }

  boolean inWindow(long seq) {
    return seq > low && seq <= high();
  }

  /** Counts a dropped message or input with the reason. */
  void drop(String reason) {
    dropped++;
    drops.merge(reason, 1L, Long::sum);
  }

  /**
   * Current request time-out: what requests took to execute lately (at least the configured
   * time-out, {@link Patience}), doubled for each view change in a row.
   */
  long timeout() {
    return capped(executePatience.timeout(), config.requestTimeoutMs());
  }

  /**
   * A learnt bound doubled per view change in a row, but never beyond what the back-off alone
   * reaches from the configured {@code floor}: adapting must not make a faulty primary's
   * replacement slower than the back-off already allowed.
   */
  private long capped(long learnt, long floor) {
    return Math.min(learnt << backoff, floor << config.maxBackoffExponent());
  }

  /** Current slow-primary bound: the same for the primary's ordering of held requests. */
  long proposeTimeout() {
    return capped(orderPatience.timeout(), config.proposeDelayMs());
  }

  /**
   * Pre-prepares and prepares leave before the entry recording them is durable, within the
   * bounds {@link EarlyVotes} keeps; everything else waits for its Ready's writes.
   */
  @Override
  public boolean mayLeaveBeforeDurable(io.lockstep.order.ProtocolMessage message) {
    return early.mayLeaveEarly(message);
  }

  @Override
  public void step(Input input) {
    Objects.requireNonNull(input, "input");
    if (input instanceof Input.Receive r) {
      receive(r.from(), r.message());
    } else if (input instanceof Input.Propose p) {
      normal.onRequest(p.request());
    } else if (input instanceof Input.Read r) {
      read(r.readId());
    } else if (input instanceof Input.Tick t) {
      tick(t.now(), t.wallClock());
    } else if (input instanceof Input.SnapshotTaken s) {
      checkpoints.onSnapshot(s.position(), s.state());
    } else if (input instanceof Input.StateCaptured c) {
      checkpoints.onCaptured(c.position());
    } else if (input instanceof Input.TransferLeadership) {
      drop("leadership transfer is not part of PBFT");
    } else if (input instanceof Input.ChangeMembership) {
      drop("PBFT changes its replica set by an ordered SetReplicas command, not on request");
    } else if (input instanceof Input.Persisted persisted) {
      early.persisted(persisted.index());
    }
    repair.tryFinish();
    Invariants.check(this);
  }

  private void receive(int from, io.lockstep.order.ProtocolMessage message) {
    if (from == self()) {
      drop("message from itself");
      return;
    }
    if (!(message instanceof PbftMessage m)) {
      drop("not a PBFT message");
      return;
    }
    silence.heard(from, now); // the runtime passes only messages from authenticated channels
    if (!membership.current().contains(from) && !fromAnyReplica(m)) {
      drop("message from a replica outside the configuration");
      return;
    }
    if (m instanceof PbftMessage.PrePrepare pp) {
      normal.onPrePrepare(from, pp);
    } else if (m instanceof PbftMessage.Prepare p) {
      normal.onPrepare(from, p);
    } else if (m instanceof PbftMessage.Commit c) {
      normal.onCommit(from, c);
    } else if (m instanceof PbftMessage.Fill f) {
      normal.onFill(from, f);
    } else if (m instanceof PbftMessage.Forward f) {
      normal.onForward(from, f.request());
    } else if (m instanceof PbftMessage.CheckpointVote v) {
      checkpoints.onVote(v);
    } else if (m instanceof PbftMessage.ViewChange vc) {
      viewChanges.onViewChange(from, vc);
    } else if (m instanceof PbftMessage.NewView nv) {
      viewChanges.onNewView(from, nv);
    } else if (m instanceof PbftMessage.Status s) {
      repair.onStatus(from, s);
      silence.report(from, s.silentMillis(), now);
      replacement.statusFrom(from, s.executed());
      retransmit.onStatus(from, s);
    } else if (m instanceof PbftMessage.FetchState f) {
      transfer.onFetch(from, f);
    } else if (m instanceof PbftMessage.StateChunk c) {
      transfer.onChunk(from, c);
    } else if (m instanceof PbftMessage.IncarnationProbe probe) {
      wipe.onProbe(from, probe);
    } else if (m instanceof PbftMessage.IncarnationAnswer answer) {
      wipe.onAnswer(from, answer);
    } else if (m instanceof PbftMessage.Suspect suspect) {
      suspicions.onSuspect(from, suspect);
    }
  }

  /**
   * Messages taken from any authenticated replica: a spare or a removed replica asks for
   * status and state, a spare that starts empty introduces its incarnation, and checkpoint
   * votes are checked against their own sequence number's configuration.
   */
  private static boolean fromAnyReplica(PbftMessage m) {
    return m instanceof PbftMessage.Status || m instanceof PbftMessage.FetchState
        || m instanceof PbftMessage.StateChunk || m instanceof PbftMessage.CheckpointVote
        || m instanceof PbftMessage.IncarnationProbe;
  }

  /**
   * Reads are answered at once at the executed position (the client needs 2t+1 matching
   * answers), except in a cluster whose replica set can change: there answers and replies may
   * come from two configurations (and from spares and removed replicas that follow along), so
   * 2t+1 of them no longer meet every completed write's 2t+1 replies in a correct replica, and
   * the simulator found stale reads. Such a replica refuses the read, and the client orders it:
   * an ordered read's 2t+1 identical replies are right whoever sent them.
   */
  private void read(long readId) {
    if (!repair.mayVouch()) {
      out.redirect(new Ready.Redirect(null, readId, -1, "replica " + self() + " is repairing"
          + " damaged storage"));
      return;
    }
    if (membership.canChange()) {
      out.redirect(new Ready.Redirect(null, readId, -1, "reads are ordered in a PBFT cluster"
          + " whose replica set can change"));
      return;
    }
    out.read(new Ready.ReadGrant(readId, lastExecuted == 0 ? 0 : lastPosition(lastExecuted)));
  }

  private void tick(long monotonic, long wallClock) {
    now = Math.max(now, monotonic);
    wall = wallClock;
    if (!ticked) {
      ticked = true;
      pending.clockStarted(now);
      silence.start();
      retransmit.start();
      viewChanges.armDeadline(); // a recovered replica's resumed view change
    }
    wipe.onTick();
    viewChanges.onTick();
    normal.onTick();
    transfer.onTick();
    retransmit.onTick();
  }

  @Override
  public Ready ready() {
    if (checkpoints.awaitingSnapshot()) {
      throw new IllegalStateException("replica " + self() + " asked for the executor's state at"
          + " checkpoint " + lastExecuted + " but no snapshot was taken: the runtime must honour"
          + " wantsSnapshot()");
    }
    normal.propose();
    normal.execute();
    Invariants.check(this);
    Invariants.checkSlots(this);
    durable.flush();
    return out.take();
  }

  @Override
  public boolean wantsSnapshot() {
    return checkpoints.awaitingSnapshot();
  }

  /**
   * Yes: a checkpoint's state may be captured now and digested off the loop thread; ordering
   * goes on within the window and the vote leaves when the digest arrives ({@link Checkpoints}).
   */
  @Override
  public boolean takesCheckpointStateLater() {
    return true;
  }

  /**
   * No: PBFT writes the state of the checkpoints it votes for ({@link Durable}) and compacts its
   * journal only under those; a snapshot at any other position would never be referred to.
   */
  @Override
  public boolean takesPeriodicSnapshots() {
    return false;
  }

  /** The runtime signs the checkpoint vote where it digests the state ({@link Checkpoints}). */
  @Override
  public CheckpointSeal checkpointSeal(long position) {
    return checkpoints.seal(position);
  }

  /** The checkpoint's state is saved at its last position ({@link Durable}). */
  @Override
  public long checkpointStateIndex(long position) {
    return checkpoints.stateIndex(position);
  }

  @Override
  public Status status() {
    Role role = changingView ? Role.CANDIDATE : isPrimary() ? Role.LEADER : Role.FOLLOWER;
    long last = slots.isEmpty() ? lastExecuted : Math.max(lastExecuted, slots.lastKey());
    return new Status(self(), role, view, changingView ? -1 : primary(view),
        lastExecuted == 0 ? 0 : lastPosition(lastExecuted), last == 0 ? 0 : lastPosition(last),
        low == 0 ? 0 : lastPosition(low));
  }

  /**
   * The configuration ordering this replica's window: its voters, and the stable checkpoint
   * whose state named them as the index. Changes are asked for by ordered {@code SetReplicas}
   * commands, never by {@link Input.ChangeMembership}. Its quorum and silent voters are
   * {@link ReportedConfiguration#fresh()}'s; it is rebuilt only when what it is computed from
   * changed.
   */
  @Override
  public Configuration configuration() {
    return reportedConfiguration.get();
  }

  /** True while it repairs damaged storage: it votes and vouches for nothing ({@link Repair}). */
  @Override
  public boolean repairing() {
    return repair.active;
  }

  @Override
  public String repairReason() {
    return repair.reason();
  }

  @Override
  public long dropped() {
    return dropped;
  }

  /**
   * A view change started here: the journal records the view and why, which is what tells a
   * storm under load (time-outs, the throughput check) from a faulty primary.
   */
  void journalViewChange(long newView, String reason) {
    if (events.size() < 1_024) { // bounded for a runtime that never drains them
      events.add(Event.protocol(Event.Kind.ELECTION, self(), newView, reason));
    }
  }

  @Override
  public List<Event> drainEvents() {
    if (events.isEmpty()) {
      return List.of();
    }
    List<Event> out = events;
    events = new ArrayList<>();
    return out;
  }

  /** Drops so far by reason, for tests and metrics. */
  @Override
  public Map<String, Long> dropsByReason() {
    return new TreeMap<>(drops);
  }

  /** The current view (for tests and checkers). */
  public long view() {
    return view;
  }

  /** The last executed sequence number. */
  public long lastExecuted() {
    return lastExecuted;
  }

  /** The stable checkpoint's sequence number (low watermark). */
  public long stableSeq() {
    return low;
  }

  /** Whether a view change is under way. */
  public boolean changingView() {
    return changingView;
  }

  @Override
  public long agreedTimeNow(long wallClock) {
    return Math.max(executedTime, wallClock);
  }

  /** A request refused because this replica holds as many as it may. */
  void refuseFull(Request request) {
    out.redirect(new Ready.Redirect(request, -1, primary(view), "replica " + self()
        + " holds " + config.maxPendingRequests() + " unordered requests", true));
  }
}
