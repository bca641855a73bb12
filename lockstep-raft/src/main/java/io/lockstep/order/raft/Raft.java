package io.lockstep.order.raft;

import io.lockstep.journal.Event;
import io.lockstep.order.Configuration;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotReceiver;
import io.lockstep.order.Status;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Objects;

/**
 * A deterministic Raft core (Ongaro, "Consensus: Bridging Theory and Practice", 2014) for crash
 * faults with 2t+1 replicas: the paper's §3 Agreement + Order, where a request's identifier is
 * its log position and "stable" means committed (S11).
 *
 * <p>No I/O (etcd-io/raft's RawNode style): {@link #step} takes one {@link Input}, {@link #ready}
 * hands out the effects, which the runtime carries out in {@link Ready}'s order — writes durable,
 * then messages sent, then install, stable, reads, redirects. Time only comes from
 * {@link Input.Tick}; randomness only from the seed. Invariants are checked after every step and
 * every ready; a broken one throws {@link IllegalStateException} naming the state.
 *
 * <p>Implemented: pre-vote (§9.6), check-quorum and leader stickiness (§6.2, §4.2.3), the
 * election restriction (§3.6), batching and pipelining with etcd-style flow control (§10.2), the
 * commit rule of §3.6.2 (only entries of the current term are committed by counting), a no-op
 * entry per new leader (§6.4), ReadIndex and optional lease reads (§6.4), snapshots and
 * InstallSnapshot (§5), leadership transfer (§3.10), single-server membership changes (§4,
 * {@link ConfigChange}).
 *
 * <p>The rules this implementation chooses where the dissertation leaves room (leader
 * self-acknowledgement, parallel leader appends, agreed time, lease reads and clocks, snapshots
 * from a leader, ticks that go backwards) are stated in the {@linkplain io.lockstep.order.raft
 * package documentation}.
 */
public final class Raft implements Coordination {
  /** A deliberately broken variant, for tests that prove the checkers find real bugs. */
  enum Bug {
    NONE,
    /** The leader commits as soon as its own log holds an entry, without a majority. */
    COMMIT_QUORUM_OF_ONE,
    /** The leader commits entries of earlier terms by counting replicas (Figure 8's mistake). */
    COMMIT_EARLIER_TERM_BY_COUNTING,
    /**
     * The leader stamps agreed time from its own wall clock alone (bounded only by its last
     * entry), so one clock running ahead moves every time-out in the cluster.
     */
    TIME_FROM_LEADER_CLOCK,
    /** A replica with damaged storage ignores the damage: it votes and acknowledges at once. */
    SKIP_REPAIR,
    /** A replica that starts empty takes itself for new: it votes at once, even after a wipe. */
    SKIP_WIPE_CHECK,
    /**
     * A new leader changes the configuration before committing in its own term: two racing
     * changes can then both commit with disjoint majorities (committed entries lost).
     */
    CHANGE_BEFORE_OWN_TERM_COMMIT,
    /**
     * A follower takes a source's snapshot chunks unchecked: older than the leader's snapshot,
     * or damaged on the way (checksum not compared).
     */
    SNAPSHOT_SOURCE_UNCHECKED
  }

  static final int NONE = -1;

  private final RaftConfig config;
  private final Bug bug;
  private final RaftLog log;
  private final Membership membership;
  private final Outbox out = new Outbox();
  private final Election election;
  private final Replication replication;
  private final ReadIndex readIndex;
  private final Admission admission;
  private final Follower follower;
  private final SnapshotFetch fetch = new SnapshotFetch(this);
  private final AgreedTime agreedTime;
  private final Repair repair;
  private final WipeCheck wipeCheck;
  private final ConfigChange configChange = new ConfigChange(this);
  private final Inbound inbound = new Inbound(this);
  private final TickClock clock = new TickClock(this);
  private final Commitment commitment = new Commitment(this);
  private final Invariants invariants = new Invariants();
  private final RaftEvents events = new RaftEvents();
  private final LogReads logReads = new LogReads(this);

  private long term;
  private int votedFor = NONE;
  private Role role = Role.FOLLOWER;
  private int leader = NONE;
  private Snapshot snapshot;
  private long dropped;
  private String lastDropReason = "";

  /**
   * Builds a replica from what its stable storage held. A recovered snapshot is assumed to be
   * restored into the executor by the runtime; commitIndex starts at its index and it is not
   * delivered again as {@link Ready#install()}.
   *
   * @param config this replica's configuration
   * @param recovered the durable hard state, snapshot and log ({@link Recovered#EMPTY} at first
   *     start)
   * @param seed seed of the generator that randomizes election timeouts
   */
  public Raft(RaftConfig config, Recovered recovered, long seed) {
    this(config, recovered, seed, SnapshotReceiver.inMemory());
  }

  /** As {@link #Raft(RaftConfig, Recovered, long)}; received snapshots go to {@code receiver}. */
  public Raft(RaftConfig config, Recovered recovered, long seed, SnapshotReceiver receiver) {
    this(config, recovered, seed, Bug.NONE, receiver);
  }

  Raft(RaftConfig config, Recovered recovered, long seed, Bug bug) {
    this(config, recovered, seed, bug, SnapshotReceiver.inMemory());
  }

  private Raft(RaftConfig config, Recovered recovered, long seed, Bug bug,
      SnapshotReceiver receiver) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(recovered, "recovered");
    this.bug = Objects.requireNonNull(bug, "bug");
    this.snapshot = recovered.snapshot();
    this.log = Recovery.log(recovered);
    this.membership = Membership.recover(config.members(), snapshot, log);
    TermAndVote hardState = Recovery.hardState(recovered.hardState(), log);
    if (hardState.removal() != null) {
      // Learned before a restart (RemovalNotice); ignored if the log has since reached it.
      membership.reported(hardState.removal().index(), hardState.removal().voters());
    }
    this.term = hardState.term();
    this.votedFor = hardState.votedFor();
    commitment.recovered(log.snapshotIndex());
    this.election = new Election(this, seed);
    this.replication = new Replication(this);
    this.readIndex = new ReadIndex(this);
    this.admission = new Admission(this);
    this.follower = new Follower(this, Objects.requireNonNull(receiver, "receiver"));
    this.agreedTime = new AgreedTime(config.electionTimeoutMillis(),
        bug == Bug.TIME_FROM_LEADER_CLOCK);
    this.repair = new Repair(this, hardState, recovered.damage());
    this.wipeCheck = new WipeCheck(this, hardState, recovered.hardState() != null, seed);
    if (repair.active() || hardState.incarnations() == null) {
      // Before any message: a crash from here on resumes the repair, and keeps the incarnation
      // that peers may have heard of.
      persistHardState();
    }
    invariants.check(this);
  }

  @Override
  public void step(Input input) {
    Objects.requireNonNull(input, "input");
    events.before(this);
    if (role == Role.LEADER) {
      replication.maybeCommit();
    }
    if (input instanceof Input.Tick tick) {
      onTick(tick.now(), tick.wallClock());
    } else if (input instanceof Input.Receive receive) {
      inbound.receive(receive.from(), receive.message());
    } else if (input instanceof Input.Propose propose) {
      admission.propose(propose.request());
    } else if (input instanceof Input.Read read) {
      admission.read(read.readId());
    } else if (input instanceof Input.SnapshotTaken taken) {
      snapshot = SnapshotTaken.take(this, taken.position(), taken.state(), snapshot);
    } else if (input instanceof Input.TransferLeadership transfer) {
      replication.transfer(transfer.target());
    } else if (input instanceof Input.Persisted persisted) {
      persisted(persisted.index(), persisted.term());
    } else if (input instanceof Input.EntriesRead read) {
      logReads.onRead(read);
    } else if (input instanceof Input.ChangeMembership change) {
      configChange.request(change);
    }
    if (role == Role.LEADER) {
      // After the step, not inside commitTo: the answer that committed a change may come from a
      // replica the change removes, and its handler still uses that replica's progress.
      configChange.onCommit();
    }
    events.after(this, input);
    invariants.check(this);
  }

  @Override
  public Ready ready() {
    if (role == Role.LEADER) {
      replication.flush();
    }
    Ready ready = out.drain();
    log.markHandedOut();
    // After the hand-out: an entry leaves memory only once the runtime has it to read back.
    log.evict(config.logCacheBytes(), Math.min(commitment.applied(), log.handedOut()));
    invariants.check(this);
    return ready;
  }

  @Override
  public Status status() {
    return new Status(config.self(), role, term, leader, commitIndex(), log.lastIndex(),
        snapshotIndex());
  }

  /**
   * Index of the latest snapshot held: the in-memory log may start below it by up to the
   * compaction margin, never above it.
   */
  long snapshotIndex() {
    return snapshot == null ? log.snapshotIndex() : Math.max(snapshot.index(), log.snapshotIndex());
  }

  @Override
  public long dropped() {
    return dropped;
  }

  /**
   * With parallel leader appends (§10.2.1), a leader's AppendEntries and heartbeats may leave
   * before its own fsync: it counts itself toward a commit only up to an {@link Input.Persisted}
   * report. Every other message (votes, responses, snapshots, TimeoutNow) vouches for durable
   * state and must wait.
   */
  @Override
  public boolean mayLeaveBeforeDurable(ProtocolMessage message) {
    return config.parallelLeaderAppend() && (message instanceof RaftMessage.AppendEntries
        || message instanceof RaftMessage.Heartbeat);
  }

  /**
   * AppendEntries and heartbeats are repeated by the leader (§3.5: "retries AppendEntries
   * indefinitely"; a lost batch shows as a log mismatch or a heartbeat answer behind, and the
   * leader resends from the follower's next index), so a queue to a slow follower may drop them.
   * Votes, answers, snapshot chunks and TimeoutNow are not dropped for room: each carries a
   * decision or a transfer's progress that a retry would only reach after a timeout.
   */
  @Override
  public boolean resentIfLost(ProtocolMessage message) {
    return message instanceof RaftMessage.AppendEntries
        || message instanceof RaftMessage.Heartbeat;
  }

  /**
   * A Raft answer leaves with a commit, and a commit already means "durable on a majority"
   * without this replica's pending writes: with parallel appends the leader counts itself only
   * up to what the runtime reported persisted; without them, a commit needs a follower's
   * acknowledgement of an AppendEntries that left only after the leader's own fsync. The one
   * exception is a lone replica in serial mode, which counts its own copy as soon as it is
   * handed out: its answers must wait for its fsync.
   */
  @Override
  public boolean mayAnswerBeforeDurable() {
    return config.parallelLeaderAppend() || membership.voters().size() > 1;
  }

  @Override
  public Configuration configuration() {
    return configChange.view();
  }

  @Override
  public List<Event> drainEvents() {
    return events.drain();
  }

  @Override
  public boolean repairing() {
    return repair.active();
  }

  @Override
  public String repairReason() {
    return repair.reason();
  }

  /** Why the last dropped message was dropped (for tests and debugging). */
  @Override
  public boolean wantsSnapshot() {
    return admission.wantsSnapshot(applied() > snapshotIndex());
  }

  String lastDropReason() {
    return lastDropReason;
  }

  @Override
  public String toString() {
    return "Raft" + status() + "{votedFor=" + votedFor + ", applied=" + applied() + ", now=" + now()
        + ", " + repair + ", " + wipeCheck + ", " + membership + ", last term "
        + log.termAt(log.lastIndex()) + ", handed out " + log.handedOut() + ", persisted "
        + log.persisted() + (role == Role.LEADER ? ", " + replication : "") + "}";
  }

  // ---- inputs -------------------------------------------------------------------------------

  /**
   * The runtime's durability report. Only a leader with parallel leader appends uses it (to
   * count itself toward a commit); a commit it enables is counted at once.
   */
  private void persisted(long index, long term) {
    log.markPersisted(index, term);
    if (role == Role.LEADER && config.parallelLeaderAppend()) {
      replication.maybeCommit();
    }
  }

  private void onTick(long tickNow, long tickWallClock) {
    agreedTime.tick(Math.max(clock.now(), tickNow), tickWallClock);
    clock.tick(tickNow);
  }

  /** A leader message in the current term: {@code from} leads it (Election Safety, §3.6.3). */
  boolean acceptLeader(int from) {
    if (role == Role.LEADER) {
      drop("second leader " + from + " in term " + term);
      return false;
    }
    if (leader != NONE && leader != from) {
      drop("leader " + from + " in term " + term + " but " + leader + " leads it");
      return false;
    }
    if (role != Role.FOLLOWER) {
      becomeFollower(term, from);
    }
    leader = from;
    clock.leaderContact();
    election.touch(clock.now());
    return true;
  }

  // ---- transitions and services for the parts ---------------------------------------------

  /** Appends an entry of the current term with the agreed time (a null request is a no-op). */
  void appendLocal(Request request) {
    LogEntry entry = new LogEntry(log.lastIndex() + 1, term,
        agreedTime.propose(clock.now(), log.lastTime(), membership.voters()), request);
    log.append(entry);
    membership.appended(entry);
    out.append(entry);
    if (role == Role.LEADER) {
      admission.appended(entry);
    }
    replication.entriesAppended();
  }

  /** The time {@link #appendLocal} would stamp now: bounded by a quorum of clocks. */
  @Override
  public long agreedTimeNow(long wallClock) {
    return agreedTime.propose(clock.now(), log.lastTime(), membership.voters());
  }

  /** A follower's clock report, carried by its answer to AppendEntries or a heartbeat. */
  void clockReport(int from, long clock) {
    agreedTime.report(from, clock);
  }

  /** Stores an entry received from the leader. */
  void appendReceived(LogEntry entry) {
    log.append(entry);
    membership.appended(entry);
    out.append(entry);
  }

  void becomeFollower(long newTerm, int newLeader) {
    boolean wasLeader = role == Role.LEADER;
    if (newTerm > term) {
      term = newTerm;
      votedFor = NONE;
      persistHardState();
    }
    role = Role.FOLLOWER;
    if (leader != newLeader) {
      fetch.stop();
    }
    leader = newLeader;
    clock.leaderContact();
    election.reset(clock.now());
    if (wasLeader) {
      replication.stop();
      configChange.stop();
      readIndex.abort(newLeader);
    }
  }

  void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    leader = NONE;
    election.reset(clock.now());
  }

  void becomeCandidate() {
    term++;
    votedFor = config.self();
    persistHardState();
    role = Role.CANDIDATE;
    leader = NONE;
    election.reset(clock.now());
  }

  void becomeLeader() {
    role = Role.LEADER;
    leader = config.self();
    configChange.stop();
    replication.start(clock.now());
    readIndex.start();
    admission.becameLeader(log, commitIndex());
    appendLocal(null); // §6.4: a no-op of the new term lets it commit earlier entries
  }

  /**
   * Queues the hard state (term, vote, repair state, incarnations, a reported removal) to be
   * durable before any message.
   */
  void persistHardState() {
    out.hardState(new TermAndVote(term, votedFor, repair.repairThrough(), repair.noVoteThrough(),
        wipeCheck.durable(), membership.isReported()
            ? new TermAndVote.Removal(membership.index(), membership.voters()) : null));
  }

  /**
   * True while this replica may hold less than it once acknowledged: it repairs damaged storage,
   * or it started empty and has not yet checked with its peers that this is a first start
   * ({@link WipeCheck}). It then neither campaigns nor votes, and marks its answers "repairing".
   */
  boolean holdsBack() {
    return repair.active() || !wipeCheck.verified();
  }

  /** Whether this replica may grant a (pre-)vote in {@code voteTerm}. */
  boolean mayVote(long voteTerm) {
    return repair.mayVote(voteTerm) && wipeCheck.verified();
  }

  /** Grants this term's vote (persisted before the answer is sent, by Ready's order). */
  void vote(int candidate) {
    votedFor = candidate;
    persistHardState();
  }

  /** Advances commitIndex: see {@link Commitment#commitTo}. */
  void commitTo(long index) {
    commitment.commitTo(index);
  }

  /** Installs a leader's snapshot: the log was already reset or compacted to it (§5.3). */
  void installSnapshot(Snapshot received, boolean logKept) {
    membership.installed(received, logKept);
    out.saveSnapshot(received);
    out.install(received);
    snapshot = received;
    commitment.installed(received.index());
  }

  /** Leader stickiness (§4.2.3): see {@link TickClock#inLease}. */
  boolean inLease() {
    return clock.inLease();
  }

  boolean committedInOwnTerm() {
    return log.termAt(commitIndex()) == term;
  }

  void send(int to, RaftMessage message) {
    out.send(to, message);
  }

  void drop(String reason) {
    dropped++;
    lastDropReason = reason;
  }

  RaftConfig config() {
    return config;
  }

  Bug bug() {
    return bug;
  }

  /** The other voters of the newest configuration: who is asked for votes. */
  List<Integer> peers() {
    return membership.voters().stream().filter(m -> m != config.self()).toList();
  }

  Membership membership() {
    return membership;
  }

  ConfigChange configChange() {
    return configChange;
  }

  RaftLog log() {
    return log;
  }

  Outbox out() {
    return out;
  }

  LogReads logReads() {
    return logReads;
  }

  Repair repair() {
    return repair;
  }

  Election election() {
    return election;
  }

  WipeCheck wipeCheck() {
    return wipeCheck;
  }

  Follower follower() {
    return follower;
  }

  SnapshotFetch fetch() {
    return fetch;
  }

  RaftEvents events() {
    return events;
  }

  Replication replication() {
    return replication;
  }

  ReadIndex readIndex() {
    return readIndex;
  }

  Admission admission() {
    return admission;
  }

  long term() {
    return term;
  }

  int votedFor() {
    return votedFor;
  }

  Role role() {
    return role;
  }

  int leader() {
    return leader;
  }

  long commitIndex() {
    return commitment.commitIndex();
  }

  long applied() {
    return commitment.applied();
  }

  Snapshot snapshot() {
    return snapshot;
  }

  long now() {
    return clock.now();
  }

  TickClock clock() {
    return clock;
  }

  /** The wall clock reading of the latest tick (0 before the first), for clock reports. */
  long wallClock() {
    return agreedTime.ownClock();
  }

  int self() {
    return config.self();
  }
}
