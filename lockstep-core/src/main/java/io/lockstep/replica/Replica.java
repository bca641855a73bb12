package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.journal.Journal;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Configuration;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One replica: a {@link Coordination} protocol (agreement + order, paper §3) wired to an
 * {@link Executor} (paper §3.2 onwards). Used alike by the simulator and the real runtime, which
 * only carry out the I/O in the returned {@link Effects}.
 *
 * <p>Each call steps the protocol with one input ({@link #stepAll}: several) and drains its
 * {@link Ready}s until empty, following the order {@link Ready} prescribes: install a snapshot,
 * apply the stable requests, answer linearizable reads whose granted position has been applied,
 * pass redirects on. Along the way it takes a snapshot every {@code snapshotEvery} applied
 * positions (handing it to the protocol as {@link Input.SnapshotTaken}, whose effects join the
 * same {@link Effects}) and captures the state for a {@link Checkpoint} digest whenever the
 * applied position crosses a multiple of {@code digestEvery} (the digest itself, a pass over the
 * whole state, is the runtime's to take, see {@link Effects}). Positions may have gaps (protocol
 * no-ops), so the checkpoint is taken at the first applied position at or past each multiple and
 * labelled with that exact position; every correct replica applies the same positions, so their
 * labels and digests agree. A replica that skips a multiple by installing a snapshot records
 * nothing for it. Where the runtime writes snapshots, the digest may instead ride on a capture
 * taken anyway: a periodic snapshot nearly due there is taken there ({@link
 * #takeCapturedSnapshot()}), and under PBFT the next checkpoint's capture carries it, labelled
 * with that checkpoint's position ({@link #takeCheckpointCaptures()}).
 *
 * <p>Time (paper §5.2, §6): time-outs and defaults fire only when a request with a later agreed
 * time is ordered. So that they fire while clients are idle, the leader proposes a null request
 * from {@link #CLOCK} on a tick at which the executor has something due.
 *
 * <p>Assumption on the protocol: after {@code ready()} returns an empty Ready, every position up
 * to {@code status().commitIndex()} has been handed out in {@code stable} (no-ops as gaps). A
 * read granted at a no-op position is served once that holds, even though the executor never
 * sees that position.
 *
 * <p>Not thread-safe: one loop thread owns a replica.
 */
public final class Replica {
  /** The client that issues the leader's clock null requests. */
  public static final ClientId CLOCK = ClientId.of("lockstep:clock");

  /** Bound on reads waiting for their position, so a flood of reads cannot exhaust memory. */
  public static final int MAX_PENDING_READS = 10_000;

  /** Bound on Readys drained in one call: a protocol that never quiesces is a bug. */
  private static final int MAX_READYS_PER_CALL = 10_000;

  private final int id;
  private final Coordination coordination;
  private final Executor executor;
  private final long digestEvery;
  private final LinearizableReads reads;
  private final ReplicaJournal journal;
  private final SnapshotSchedule snapshots;
  private long lastDigestMultiple;
  private long deliveredThrough;
  private long clockSequence;
  private long clockPendingTerm = -1;

  /**
   * @param snapshotEvery take a snapshot every this many applied positions; 0 never
   * @param digestEvery record a checkpoint digest every this many positions; 0 never
   */
  public Replica(int id, Coordination coordination, Executor executor, long snapshotEvery,
      long digestEvery) {
    this.coordination = Objects.requireNonNull(coordination, "coordination");
    this.executor = Objects.requireNonNull(executor, "executor");
    if (snapshotEvery < 0 || digestEvery < 0) {
      throw new IllegalArgumentException("snapshotEvery and digestEvery must not be negative, were "
          + snapshotEvery + " and " + digestEvery);
    }
    this.id = id;
    this.reads = new LinearizableReads(id);
    this.digestEvery = digestEvery;
    this.journal = new ReplicaJournal(id);
    this.snapshots = new SnapshotSchedule(id, coordination, executor, snapshotEvery, journal);
    resetMarks();
  }

  /**
   * Rebuilds a restarted replica's executor (X1): a fresh executor, restored from the durable
   * snapshot if there is one. The protocol, built from the same {@link Recovered}, then hands
   * out the committed entries after it again.
   */
  public static Executor recover(StateMachine machine, ExecutorConfig config, Recovered recovered) {
    Executor executor = new Executor(machine, config);
    if (recovered != null && recovered.snapshot() != null) {
      executor.restore(recovered.snapshot().data());
    }
    return executor;
  }

  /**
   * From now on the runtime writes this replica's snapshots (X2): instead of encoding a snapshot
   * in the step that takes it, the replica captures it ({@link Executor#captureSnapshot()}, cheap)
   * and hands it out through {@link #takeCapturedSnapshot()}; the runtime writes and forces it
   * off the replica's thread and reports it with {@link Step.SnapshotStored}, which is when the
   * protocol learns of it. No further snapshot is captured until then.
   */
  public void writeSnapshotsElsewhere() {
    snapshots.writeElsewhere();
  }

  /**
   * The checkpoint captures taken since the last call (PBFT's, under the Byzantine model, when
   * snapshots are written elsewhere and the protocol
   * {@link Coordination#takesCheckpointStateLater() takes the state later}), oldest first: the
   * runtime encodes each and computes its SHA-256 off this replica's thread, then steps
   * {@link Step.CheckpointDigested} with {@link io.lockstep.order.SnapshotData#digested}, in the
   * same order, signed with the capture's {@link CheckpointCapture#seal()} when it has one. A
   * capture {@link CapturedSnapshot#isCompared() marked compared} also stands for the divergence
   * digest due since the last (none is in {@link Effects#checkpoints()} for it): the runtime
   * compares its SHA-256, labelled with its position.
   */
  public List<CheckpointCapture> takeCheckpointCaptures() {
    return snapshots.takeCheckpointCaptures();
  }

  /**
   * The snapshot captured for the runtime to write, once; null if there is none new. When it
   * {@link CapturedSnapshot#isCompared() is compared} too, it stands for the {@link Checkpoint}
   * digest due at its position (none is in {@link Effects#checkpoints()} for it): the runtime
   * takes the digest as it writes the state file.
   */
  public CapturedSnapshot takeCapturedSnapshot() {
    return snapshots.take();
  }

  /**
   * From now on this replica's events (proposals, applies, snapshots, redirects, and the
   * protocol's own from {@link Coordination#drainEvents}) go to {@code journal}, which stamps
   * them with the runtime's time.
   */
  public void journal(Journal journal) {
    this.journal.use(journal);
  }

  /** A client request arrived at this replica. */
  public Effects propose(Request request) {
    Objects.requireNonNull(request, "request");
    journal.propose(request);
    EffectsBuilder out = new EffectsBuilder();
    if (answeredFromCache(request, out)) {
      return out.build();
    }
    return step(new Input.Propose(request));
  }

  /**
   * PBFT's "last reply" rule: under the Byzantine model a request this replica already executed
   * is answered with the reply its session kept, not handed to the protocol again. A Byzantine
   * client resends a request only to the replicas that have not answered it yet (one missed the
   * reply, or skipped the request by state transfer); the others no longer hold it, and backups
   * prepare only requests they hold, so ordering it again could never succeed and the client
   * would wait for its 2t+1th reply for ever. Under fail-stop the retry reaches the leader alone,
   * which orders it again and the session answers with the same reply. A request older than the
   * session's reply window still goes to the protocol, as before.
   */
  private boolean answeredFromCache(Request request, EffectsBuilder out) {
    if (executor.config().failureModel() != FailureModel.BYZANTINE
        || request.kind() != Request.Kind.COMMAND) {
      return false;
    }
    Optional<io.lockstep.request.Reply> cached =
        executor.cachedReply(request.client(), request.sequence());
    cached.ifPresent(out.replies::add);
    return cached.isPresent();
  }

  /**
   * A linearizable read: the protocol grants a position (or redirects), and the query runs once
   * the executor has applied it.
   *
   * @throws IllegalArgumentException if {@code readId} is already pending
   */
  public Effects read(long readId, ClientId caller, byte[] query) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(query, "query");
    if (reads.isPending(readId)) {
      throw new IllegalArgumentException("read " + readId + " is already pending");
    }
    if (!reads.admit(readId, caller, query)) {
      return new Effects(List.of(), List.of(), List.of(), List.of(reads.refusal(readId)),
          List.of(), List.of());
    }
    return step(new Input.Read(readId));
  }

  /**
   * Steps the protocol with every input in {@code steps}, in order, and drains it once at the
   * end (and before each tick, whose clock request depends on what was applied). The effects
   * are those of the single-step calls, merged: one Ready covers every proposal and message, so
   * the leader sends one AppendEntries per follower and the runtime does one group commit for
   * them all (batching, X3). Durability order is unchanged: every message in the result is sent
   * only after every write in it is durable (except a leader's AppendEntries when the protocol
   * allows parallel leader appends and learns durability from {@link Step.Persisted}).
   *
   * @throws IllegalArgumentException if a read id is already pending or repeats in
   *     {@code steps}; nothing is stepped then
   */
  public Effects stepAll(List<Step> steps) {
    Objects.requireNonNull(steps, "steps");
    checkReadIds(steps);
    EffectsBuilder out = new EffectsBuilder();
    for (Step s : steps) {
      if (s instanceof Step.Propose p) {
        journal.propose(p.request());
        if (!answeredFromCache(p.request(), out)) {
          coordination.step(new Input.Propose(p.request(), p.clientSignature()));
        }
      } else if (s instanceof Step.Receive r) {
        coordination.step(new Input.Receive(r.from(), r.message()));
      } else if (s instanceof Step.Read r) {
        readInto(r, out);
      } else if (s instanceof Step.Tick t) {
        drain(out);
        tickInto(t.now(), t.wallClock(), out);
      } else if (s instanceof Step.Persisted p) {
        coordination.step(new Input.Persisted(p.index(), p.term()));
      } else if (s instanceof Step.EntriesRead read) {
        coordination.step(read.read());
      } else if (s instanceof Step.ChangeMembership c) {
        coordination.step(c.change());
      } else if (s instanceof Step.SnapshotStored stored) {
        snapshots.stored(stored);
      } else if (s instanceof Step.CheckpointDigested digested) {
        snapshots.digested(digested);
      }
    }
    drain(out);
    return out.build();
  }

  private void checkReadIds(List<Step> steps) {
    Set<Long> seen = new HashSet<>();
    for (Step s : steps) {
      if (s instanceof Step.Read r && (reads.isPending(r.readId()) || !seen.add(r.readId()))) {
        throw new IllegalArgumentException("read " + r.readId() + " is already pending");
      }
    }
  }

  private void readInto(Step.Read r, EffectsBuilder out) {
    if (!reads.admit(r.readId(), r.caller(), r.query())) {
      out.reads.add(reads.refusal(r.readId()));
      return;
    }
    coordination.step(new Input.Read(r.readId()));
  }

  /** A message from another replica (untrusted; the protocol validates it). */
  public Effects receive(int from, ProtocolMessage message) {
    return step(new Input.Receive(from, Objects.requireNonNull(message, "message")));
  }

  /**
   * Local time advanced: {@code now} on the monotonic clock, {@code wallClock} on the wall clock
   * (see {@link Input.Tick}). If this replica leads and a time-out or default is due by the
   * agreed time it would stamp now, it also proposes a clock null request so that it fires.
   */
  public Effects tick(long now, long wallClock) {
    EffectsBuilder out = new EffectsBuilder();
    tickInto(now, wallClock, out);
    return out.build();
  }

  private void tickInto(long now, long wallClock, EffectsBuilder out) {
    stepInto(new Input.Tick(now, wallClock), out);
    OptionalLong due = executor.nextDue();
    Status status = coordination.status();
    if (status.role() != Role.LEADER || status.term() != clockPendingTerm) {
      clockPendingTerm = -1;
    }
    if (due.isPresent() && status.role() == Role.LEADER
        && due.getAsLong() <= coordination.agreedTimeNow(wallClock)
        && clockPendingTerm < 0) {
      clockPendingTerm = status.term();
      stepInto(new Input.Propose(Request.nullRequest(CLOCK, ++clockSequence)), out);
    }
  }

  /**
   * The runtime made the log durable through {@code index}, whose entry has {@code term} (see
   * {@link Input.Persisted}).
   */
  public Effects persisted(long index, long term) {
    return step(new Input.Persisted(index, term));
  }

  /**
   * Whether {@code message}, from this replica's latest effects, may be sent before their writes
   * are durable (see {@link io.lockstep.order.Coordination#mayLeaveBeforeDurable}). When any
   * message may, the runtime must call {@link #persisted} with {@link #lastAppended} of every
   * batch of writes once they are durable.
   */
  public boolean mayLeaveBeforeDurable(ProtocolMessage message) {
    return coordination.mayLeaveBeforeDurable(Objects.requireNonNull(message, "message"));
  }

  /**
   * Whether {@code message} may be dropped from a full queue to a peer because the protocol
   * sends it again (see {@link io.lockstep.order.Coordination#resentIfLost}).
   */
  public boolean resentIfLost(ProtocolMessage message) {
    return coordination.resentIfLost(Objects.requireNonNull(message, "message"));
  }

  /**
   * Whether answers to clients may leave before the writes of the same effects are durable (see
   * {@link io.lockstep.order.Coordination#mayAnswerBeforeDurable}).
   */
  public boolean mayAnswerBeforeDurable() {
    return coordination.mayAnswerBeforeDurable();
  }

  /** Whether the protocol is repairing damaged storage ({@link Coordination#repairing}). */
  public boolean repairing() {
    return coordination.repairing();
  }

  /** What the protocol found broken ({@link Coordination#drainBrokenAssumptions}). */
  public List<String> drainBrokenAssumptions() {
    return coordination.drainBrokenAssumptions();
  }

  /** What the protocol repaired since ({@link Coordination#drainRepairedAssumptions}). */
  public List<String> drainRepairedAssumptions() {
    return coordination.drainRepairedAssumptions();
  }

  /** Messages the protocol dropped ({@link Coordination#dropped}). */
  public long dropped() {
    return coordination.dropped();
  }

  /** Those drops by reason ({@link Coordination#dropsByReason}). */
  public Map<String, Long> dropsByReason() {
    return coordination.dropsByReason();
  }

  /** Why the protocol repairs ({@link Coordination#repairReason}); "" when it does not. */
  public String repairReason() {
    return coordination.repairReason();
  }

  /**
   * The last log entry that {@code writes} append, as the durability report to step once they
   * are durable; empty if they append none.
   */
  public static Optional<Step.Persisted> lastAppended(List<StorageWrite> writes) {
    Step.Persisted last = null;
    for (StorageWrite write : writes) {
      if (write instanceof StorageWrite.Append a && !a.entries().isEmpty()) {
        LogEntry entry = a.entries().get(a.entries().size() - 1);
        last = new Step.Persisted(entry.index(), entry.term());
      }
    }
    return Optional.ofNullable(last);
  }

  /** An operator asks this replica, if it leads, to hand leadership to {@code target}. */
  public Effects transferLeadership(int target) {
    return step(new Input.TransferLeadership(target));
  }

  /** An operator or configurator asks this replica, if it leads, to change the membership. */
  public Effects changeMembership(Input.ChangeMembership.Change change, int replica) {
    return step(new Input.ChangeMembership(change, replica));
  }

  /** The configuration the protocol counts quorums in, or null if it has fixed membership. */
  public Configuration configuration() {
    return coordination.configuration();
  }

  /** The protocol's own account of its state, for a diagnosis (not thread-safe to call). */
  @Override
  public String toString() {
    return "replica " + id + ": " + coordination + ", drops " + dropsByReason();
  }

  public int id() {
    return id;
  }

  public Status status() {
    return coordination.status();
  }

  /** The executor, for read-only use (digests, metrics, tests). */
  public Executor executor() {
    return executor;
  }

  public long appliedPosition() {
    return executor.appliedPosition();
  }

  /**
   * Every position up to this one is applied or was a protocol no-op: the commit index, since
   * each call drains the protocol. This is what a status display compares with the leader's
   * commit index; {@link #appliedPosition()} stops at the last request, before any no-op.
   */
  public long appliedThrough() {
    return Math.max(executor.appliedPosition(), coordination.status().commitIndex());
  }

  /**
   * A read-only request served by this replica alone, at once, from the state it has applied
   * (paper §3: under fail-stop a read-only request may go to one replica). Whatever its role:
   * a follower answers too. The answer is possibly stale, by as much as this replica lags the
   * order (without bound in time if it is cut off), but never reflects anything that is not
   * stable, since the executor applies stable requests only; at one replica, successive answers
   * never go back. A caller that wants its own writes passes their position as {@code
   * minPosition} (read-your-writes); a replica that has not applied that far refuses.
   *
   * <p>Refused under Byzantine faults: one replica's answer could be a lie, and only a vote of
   * t+1 replicas (or a linearizable {@link #read}) can be trusted there.
   */
  public LocalRead readLocal(ClientId caller, byte[] query, long minPosition) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(query, "query");
    long applied = executor.appliedPosition();
    if (executor.config().failureModel() != FailureModel.FAIL_STOP) {
      return LocalRead.refused("a read from one replica needs the fail-stop model; under "
          + executor.config().failureModel() + " faults one replica's answer could be a lie",
          applied);
    }
    if (applied < minPosition) {
      return LocalRead.behind("replica " + id + " has applied position " + applied
          + ", behind the requested " + minPosition, applied);
    }
    try {
      return LocalRead.ok(executor.query(caller, query), applied);
    } catch (Rejection r) {
      return LocalRead.refused(r.getMessage() == null ? "rejected" : r.getMessage(), applied);
    }
  }

  /** Reads waiting for a grant or for their position to be applied. */
  public int pendingReads() {
    return reads.size();
  }

  private Effects step(Input input) {
    EffectsBuilder out = new EffectsBuilder();
    stepInto(input, out);
    return out.build();
  }

  private void stepInto(Input input, EffectsBuilder out) {
    coordination.step(input);
    drain(out);
  }

  /** Drains the protocol's Readys until it is quiescent, carrying out their non-I/O part. */
  private void drain(EffectsBuilder out) {
    for (int i = 0; i < MAX_READYS_PER_CALL; i++) {
      Ready ready = coordination.ready();
      journal.protocolEvents(coordination.drainEvents());
      if (ready == null || ready.isEmpty()) {
        deliveredThrough = Math.max(deliveredThrough, coordination.status().commitIndex());
        serveReads(out);
        return;
      }
      handle(ready, out);
    }
    throw new IllegalStateException("replica " + id + ": coordination still not quiescent after "
        + MAX_READYS_PER_CALL + " readys, status " + coordination.status());
  }

  private void handle(Ready ready, EffectsBuilder out) {
    out.writes.addAll(ready.writes());
    out.messages.addAll(ready.messages());
    out.entryReads.addAll(ready.entryReads());
    if (ready.install() != null) {
      install(ready.install());
    }
    for (Ordered ordered : ready.stable()) {
      apply(ordered, out);
    }
    for (Ready.ReadGrant grant : ready.reads()) {
      reads.grant(grant.readId(), grant.position());
    }
    for (Ready.Redirect redirect : ready.redirects()) {
      redirect(redirect, out);
    }
    serveReads(out);
    snapshots.afterReady();
  }

  private void install(Snapshot snapshot) {
    if (snapshot.index() <= executor.appliedPosition()) {
      return;
    }
    try {
      executor.restore(snapshot.data());
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new IllegalStateException("replica " + id + " cannot install the snapshot at index "
          + snapshot.index() + ": " + e.getMessage(), e);
    }
    deliveredThrough = Math.max(deliveredThrough, snapshot.index());
    resetMarks();
    journal.install(snapshot.index());
  }

  private void apply(Ordered ordered, EffectsBuilder out) {
    if (ordered.position() <= executor.appliedPosition()) {
      return;
    }
    List<io.lockstep.request.Reply> replies = executor.apply(ordered);
    out.replies.addAll(replies);
    journal.apply(ordered, replies);
    deliveredThrough = Math.max(deliveredThrough, ordered.position());
    if (ordered.request().client().equals(CLOCK)) {
      clockPendingTerm = -1;
    }
    long multiple = digestEvery == 0 ? 0 : executor.appliedPosition() / digestEvery;
    if (multiple > lastDigestMultiple) {
      lastDigestMultiple = multiple;
      if (!snapshots.captureCompared()) {
        out.checkpoints.add(executor.captureSnapshot());
      }
    }
  }

  private void redirect(Ready.Redirect redirect, EffectsBuilder out) {
    if (redirect.request() == null) {
      if (reads.cancel(redirect.readId())) {
        out.redirects.add(redirect);
      }
    } else if (redirect.request().client().equals(CLOCK)) {
      clockPendingTerm = -1;
    } else {
      out.redirects.add(redirect);
      journal.redirect(redirect);
    }
  }

  private void serveReads(EffectsBuilder out) {
    reads.serve(Math.max(executor.appliedPosition(), deliveredThrough), executor, out.reads);
  }

  private void resetMarks() {
    snapshots.restartPeriod();
    lastDigestMultiple = digestEvery == 0 ? 0 : executor.appliedPosition() / digestEvery;
    deliveredThrough = Math.max(deliveredThrough, executor.appliedPosition());
  }

  /** Accumulates the effects of one call. */
  private static final class EffectsBuilder {
    final List<io.lockstep.order.StorageWrite> writes = new ArrayList<>();
    final List<Ready.Outbound> messages = new ArrayList<>();
    final List<io.lockstep.request.Reply> replies = new ArrayList<>();
    final List<QueryResult> reads = new ArrayList<>();
    final List<Ready.Redirect> redirects = new ArrayList<>();
    final List<CapturedSnapshot> checkpoints = new ArrayList<>();
    final List<Ready.EntriesWanted> entryReads = new ArrayList<>();

    Effects build() {
      return new Effects(writes, messages, replies, reads, redirects, checkpoints, entryReads);
    }
  }
}
