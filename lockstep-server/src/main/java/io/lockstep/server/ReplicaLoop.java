package io.lockstep.server;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.machine.ClientId;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Role;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.Status;
import io.lockstep.replica.CheckpointCapture;
import io.lockstep.replica.Effects;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.QueryResult;
import io.lockstep.replica.Replica;
import io.lockstep.replica.Step;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.storage.GroupCommitLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The one thread that owns a {@link Replica}: every protocol and executor step
 * happens here, fed by one bounded queue that I/O threads and the timer fill.
 *
 * <p><b>Durability before visibility.</b> The loop drains whatever is queued, steps the replica
 * once per event, and gathers the resulting {@link Effects}. Their storage writes go to the
 * {@link GroupCommitLog} as one submission; the messages to other replicas are released only by
 * that submission's durability callback, which the log runs after the fsync covering the writes
 * <em>and every earlier submission</em>, so a replica never sends a promise it could forget.
 * Client answers (replies, read results, redirects) follow the one rule the protocol states,
 * {@link io.lockstep.order.Coordination#mayAnswerBeforeDurable}: they wait for the same
 * callback unless the protocol says its stable requests are already durable on enough replicas
 * without this batch's writes (Raft: whenever it has peers or appends in parallel). The
 * simulator applies the same rule. While one group commit is in flight the loop keeps stepping
 * and the next batch goes into the next submission (pipelining, X3). A batch without writes is
 * released at once only if no submission is in flight, so outputs never overtake earlier ones.
 *
 * <p><b>Parallel leader appends</b> (dissertation §10.2.1, when the protocol is configured for
 * them): a leader's AppendEntries and heartbeats are sent at once, before the group commit of
 * the same batch, so the leader's fsync overlaps the followers' round trip. Everything else
 * (votes, responses, InstallSnapshot, TimeoutNow) still waits for durability. The durability
 * callback reports {@link Step.Persisted} for the batch's last entry; the leader counts itself
 * toward a commit only up to such a report, so a commit (and the client answer it allows) still
 * means a majority holds the entry durably.
 *
 * <p><b>Snapshots off the loop and log threads</b> (X2): the replica only <em>captures</em> a
 * snapshot in its step (cheap: the Redis store copies references to its immutable entries); the
 * loop hands the capture to the {@link SnapshotThread}, which streams it into a state file and
 * forces it, then posts {@link LoopEvent.SnapshotStored} back. Only then does the protocol learn
 * of the snapshot, and its {@code SaveSnapshot} costs the log thread a small reference file.
 * Client writes meanwhile go on at full speed.
 *
 * <p>Back-pressure: a full queue refuses client work with a "busy" answer and drops peer
 * messages (Raft retransmits); it never grows. A congested group-commit log (a slow disk) also
 * refuses new proposals with "busy"; if it fills anyway, submitting to it blocks this thread
 * until the disk catches up, and this queue fills in turn.
 * Client questions are also bounded in bytes ({@link #clientBytes}): past the budget they are
 * refused "busy" too.
 */
final class ReplicaLoop implements Runnable, ClientIntake {
  private static final System.Logger LOG = System.getLogger(ReplicaLoop.class.getName());
  private static final int MAX_DRAIN = 512;

  /**
   * Sends an encoded message to a peer; false if it was dropped. A {@code resendable} one (the
   * protocol sends it again if lost) may also be dropped later to make room in a full queue.
   */
  interface PeerSender {
    boolean send(int to, byte[] payload, boolean resendable);
  }

  private final Replica replica;
  private final SnapshotThread snapshots;
  private final GroupCommitLog log;
  private final ServerMetrics metrics;
  private final IntFunction<String> clientAddressOf;
  private final Consumer<Throwable> fatal;
  /** Byzantine model: every replica takes every request (see {@link #everyReplicaOrders}). */
  private volatile boolean everyReplicaOrders;
  /** The latest durability report not yet stepped (written by the log thread). */
  private final AtomicReference<Step.Persisted> persisted = new AtomicReference<>();
  private final BlockingQueue<LoopEvent> queue;
  final LocalReplies localReplies = new LocalReplies();
  /** Test only: holds the loop between taking and stepping, as a stopped process would be. */
  final TestLoopStall stall = new TestLoopStall();
  private volatile PeerSender peers = (to, payload, resendable) -> false;
  private volatile ServerJournal journal = ServerJournal.OFF;
  /** Lets client questions into {@link #queue} within its bounds, or answers them "busy". */
  private final QuestionAdmission questions;
  private final LoopStatus published;
  /** See {@link #tickFirstAfter}; never by default. */
  private long tickFirstAfterNanos = Long.MAX_VALUE;
  private long lastTickStepNanos = System.nanoTime();
  /** Operators' commands and the configurator; none in loops built by tests. */
  private volatile MembershipRuntime membership;
  private volatile Consumer<CapturedSnapshot> checkpoints = captured -> { };
  private volatile long wallClockOffsetMillis;
  private volatile TestMisbehaviour misbehaviour = TestMisbehaviour.NONE;
  /** Relays requests handed here with an authenticator; null: none are relayed. */
  private volatile RequestRelay relay;
  private volatile long lastLoopNanos = System.nanoTime();
  private volatile boolean running = true;

  /** The batch being gathered, and its release once durable. */
  private final BatchRelease release;
  /** The questions taken and not yet answered, and the answers the replica's effects give them. */
  private final PendingQuestions pending;

  /** A loop whose replica writes its own snapshots in its steps (tests). */
  ReplicaLoop(Replica replica, ProtocolCodec codec, GroupCommitLog log, ServerMetrics metrics,
      int queueCapacity, long requestTimeoutMillis, IntFunction<String> clientAddressOf,
      Consumer<Throwable> fatal) {
    this(replica, null, codec, log, metrics, queueCapacity, requestTimeoutMillis,
        clientAddressOf, fatal);
  }

  /**
   * @param snapshots writes the snapshots {@code replica} captures, if it hands them out
   *     ({@link Replica#writeSnapshotsElsewhere})
   */
  ReplicaLoop(Replica replica, SnapshotThread snapshots, ProtocolCodec codec, GroupCommitLog log,
      ServerMetrics metrics, int queueCapacity, long requestTimeoutMillis,
      IntFunction<String> clientAddressOf, Consumer<Throwable> fatal) {
    this.replica = replica;
    this.snapshots = snapshots;
    this.log = log;
    this.metrics = metrics;
    this.published = new LoopStatus(metrics);
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.questions = new QuestionAdmission(queue, metrics, () -> running);
    this.clientAddressOf = clientAddressOf;
    this.fatal = fatal;
    this.release = new BatchRelease(replica, codec, log, metrics, () -> peers, () -> journal,
        this::durable, this::readBack);
    this.pending = new PendingQuestions(release, metrics, clientAddressOf, () -> journal,
        localReplies, requestTimeoutMillis * 1_000_000L);
    publish();
  }

  /**
   * Byzantine model (S13): clients send every request to every replica and a backup prepares
   * only requests it holds itself, so each replica hands each request to the protocol instead
   * of redirecting it to the leader, and a view change redirects nothing.
   */
  void everyReplicaOrders(boolean on) {
    this.everyReplicaOrders = on;
  }

  /** Relays authenticated requests through {@code relay} (set before the loop starts). */
  void relay(RequestRelay requestRelay) {
    this.relay = requestRelay;
    release.relay(requestRelay);
  }

  void peers(PeerSender sender) {
    this.peers = sender;
  }

  /** Where messages sent, received and dropped, and replies, are journaled. */
  void journal(ServerJournal journal) {
    this.journal = journal;
  }

  /**
   * Where the states captured for checkpoint digests go (divergence detection, S1), on this
   * loop's thread as soon as they are captured, to be digested elsewhere ({@link StateDigests}):
   * a digest describes applied, hence committed, state and promises nothing, so it need not
   * wait for this batch's fsync.
   */
  void checkpoints(Consumer<CapturedSnapshot> listener) {
    this.checkpoints = listener;
  }

  /**
   * Where a reply goes that no question on this replica waits for. A Byzantine client that
   * hands its signed request to ONE replica still needs t+1 identical replies from distinct
   * replicas (paper §4), so every replica that executes the request must answer it, not only
   * the one it was handed to: the client port sends such a reply on the connections where the
   * client proved its key ({@link ClientPort#pushReply}). Null: such replies go nowhere.
   */
  void unaskedReplies(Consumer<Reply> to) {
    pending.unasked(to);
  }

  /** Test only: the replica lies in what it sends and answers ({@link TestMisbehaviour}). */
  void misbehave(TestMisbehaviour behaviour) {
    this.misbehaviour = behaviour;
  }

  /** Test only: shifts the wall clock this replica proposes agreed time from. */
  void wallClockOffset(long offsetMillis) {
    this.wallClockOffsetMillis = offsetMillis;
  }

  /** From an I/O thread: a peer's payload, decoded there; dropped if the queue is full. */
  void offerPeer(int from, ProtocolMessage message) {
    if (!queue.offer(new LoopEvent.Peer(from, message))) {
      metrics.peerDropped("loop queue full");
      journal.droppedOnArrival(from, message, "loop queue full");
    }
  }

  /** Sets the byte budget of queued client questions ({@link QuestionBudget}). */
  void clientBytes(long budget) {
    questions.budget(budget);
  }

  /** Membership changes for this replica (set before the loop starts). */
  void membership(MembershipRuntime runtime) {
    this.membership = runtime;
  }

  @Override
  public void offerMember(MembershipRuntime.Ask ask) {
    if (membership == null || !running) {
      ask.origin().answered(false, "this replica takes no membership commands now");
    } else if (!queue.offer(new LoopEvent.Member(ask))) {
      metrics.busy();
      ask.origin().answered(false, "replica overloaded: its loop queue is full; try again");
    }
  }

  /** Client bytes queued now (for metrics and tests). */
  long queuedClientBytes() {
    return questions.queuedBytes();
  }

  /** From any thread: a client request; answered "busy" if the queue or its budget is full. */
  @Override
  public void offerSubmit(Request request, Origin origin) {
    offerSubmit(request, null, origin);
  }

  /** From any thread: a request with its client's signature (or null); as above. */
  @Override
  public void offerSubmit(Request request, byte[] clientSignature, Origin origin) {
    questions.offer(new LoopEvent.Submit(request, clientSignature, null, origin));
  }

  /** From any thread: a request to relay ({@link RequestRelay}); as above. */
  @Override
  public void offerToRelay(Request request, io.lockstep.server.wire.Authenticator authenticator,
      Origin origin) {
    questions.offer(new LoopEvent.Submit(request, null, relay == null ? null : authenticator,
        origin));
  }

  /** From an I/O thread: a relayed request whose tag matched; false if the queue is full. */
  boolean offerRelayed(int from, Request request) {
    return running && queue.offer(new LoopEvent.Relayed(from, request));
  }

  /** From any thread: a linearizable read; answered "busy" if the queue or its budget is full. */
  @Override
  public void offerRead(ClientId client, byte[] query, Origin origin) {
    questions.offer(new LoopEvent.Read(client, query, origin));
  }

  /** From any thread: a read for this replica alone; completes on the loop thread. */
  @Override
  public CompletableFuture<LocalRead> offerReadOneReplica(ClientId client, byte[] query,
      long minPosition) {
    CompletableFuture<LocalRead> answer = new CompletableFuture<>();
    if (!running) {
      answer.completeExceptionally(new RejectedExecutionException("replica stopping"));
    } else if (!queue.offer(new LoopEvent.ReadOneReplica(client, query, minPosition, answer))) {
      metrics.busy();
      answer.completeExceptionally(
          new RejectedExecutionException("replica overloaded: its loop queue is full"));
    }
    return answer;
  }

  void tick() {
    queue.offer(new LoopEvent.Tick());
  }

  /**
   * A batch that starts more than {@code gapMillis} after the last tick was stepped steps a tick
   * first: after a stall (a pause, {@code SIGSTOP}) the protocol must see how long it was away
   * before it acts on the messages that queued up meanwhile, which may come before the timer's
   * tick in the queue. The paper's fail-stop schemes hold their order after their own stall until
   * their peers answer ({@code FalseSuspicion}). An extra tick changes nothing else: protocols
   * time on the clock readings, not on the count of ticks.
   */
  void tickFirstAfter(long gapMillis) {
    tickFirstAfterNanos = gapMillis * 1_000_000L;
  }

  /**
   * From the snapshot thread: the snapshot is stored. Waits for room rather than dropping it
   * (the replica takes no further snapshot until it hears of this one); gives up only when the
   * loop stops.
   */
  void offerSnapshotStored(long position, SnapshotData state)
      throws InterruptedException {
    offerUntilTaken(new LoopEvent.SnapshotStored(position, state));
  }

  /**
   * From the checkpoint digester: a checkpoint's state is encoded and digested. Waits for room
   * rather than dropping it (the protocol cannot vote for that checkpoint without it).
   */
  void offerCheckpointDigested(long position, SnapshotData state) throws InterruptedException {
    offerUntilTaken(new LoopEvent.CheckpointDigested(position, state));
  }

  /** Waits for room in the queue for {@code event}, or until the loop stops. */
  private void offerUntilTaken(LoopEvent event) throws InterruptedException {
    while (running && !queue.offer(event, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      // the loop is busy; try again
    }
  }

  /** Asks the loop to stop once it has handled what is queued. */
  void stop() {
    running = false;
    stall.release(); // a loop a test left stalled must still stop
    while (!queue.offer(new LoopEvent.Stop())) {
      queue.poll();
    }
  }

  @Override
  public StatusView status() {
    return published.status();
  }

  int queueDepth() {
    return queue.size();
  }

  /** Nanos since the loop last finished a batch (liveness for /health). */
  long idleNanos() {
    return System.nanoTime() - lastLoopNanos;
  }

  @Override
  public void run() {
    List<LoopEvent> batch = new ArrayList<>(MAX_DRAIN);
    List<Step> steps = new ArrayList<>(MAX_DRAIN);
    try {
      while (true) {
        batch.add(queue.take());
        stall.pass(); // one volatile read unless a test stalls this loop
        queue.drainTo(batch, MAX_DRAIN - 1);
        boolean stop = false;
        Step.Persisted durable = persisted.getAndSet(null);
        if (durable != null) {
          steps.add(durable);
        }
        if (System.nanoTime() - lastTickStepNanos > tickFirstAfterNanos) {
          toStep(new LoopEvent.Tick(), steps);
        }
        for (LoopEvent event : batch) {
          stop |= toStep(event, steps);
        }
        batch.clear();
        if (!steps.isEmpty()) {
          step(steps);
        }
        if (membership != null) {
          membership.afterBatch(replica, System.nanoTime(), this::collect);
        }
        release.flush();
        publish();
        lastLoopNanos = System.nanoTime();
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      fatal.accept(e);
    }
  }

  /**
   * Steps the replica through the batch's steps at once, and hands the snapshot and checkpoints
   * it captured meanwhile to the threads that store and digest them.
   */
  private void step(List<Step> steps) {
    // One drain for the whole batch: one Ready, one group commit, one AppendEntries per
    // follower for every proposal that queued up meanwhile (X3).
    collect(replica.stepAll(steps));
    steps.clear();
    CapturedSnapshot captured = replica.takeCapturedSnapshot();
    if (captured != null) {
      snapshots.write(captured, this::offerSnapshotStored);
    }
    for (CheckpointCapture checkpoint : replica.takeCheckpointCaptures()) {
      snapshots.digest(checkpoint, this);
    }
  }

  /**
   * A client hands requests to this replica to relay while another is the primary: this one
   * relays them in frames of their own, and the primary's backups then take each request twice
   * apart from its pre-prepare. The client is told which replica is the primary (a redirect
   * that is no vote: the request is relayed all the same) and hands it its later requests.
   */
  private void namePrimary(Origin origin) {
    // The status published at the end of the last turn: no new one for every request.
    StatusView s = published.status();
    if (s.leader() >= 0 && s.leader() != s.id()) {
      origin.redirect(s.leader(), clientAddressOf.apply(s.leader()),
          "replica " + s.id() + " relayed it; replica " + s.leader() + " is the primary");
    }
  }

  /** Turns an event into a replica step (if it needs one); true if the loop must stop. */
  private boolean toStep(LoopEvent event, List<Step> steps) {
    if (event instanceof LoopEvent.Peer p) {
      journal.received(p.from(), p.message());
      steps.add(new Step.Receive(p.from(), p.message()));
    } else if (event instanceof LoopEvent.Submit s) {
      take(s, steps);
    } else if (event instanceof LoopEvent.Relayed r) {
      // Taken even when the disk is behind: the relaying replica took the request (it may be
      // ordering it now), and a backup that dropped it could not prepare its batch.
      if (everyReplicaOrders) {
        steps.add(new Step.Propose(r.request(), null));
      } else {
        metrics.peerDropped("relay: not taken here");
      }
    } else if (event instanceof LoopEvent.Read r) {
      take(r, steps);
    } else if (event instanceof LoopEvent.ReadOneReplica r) {
      // No step: the answer is the state applied so far, which is the point of the relaxation.
      r.answer().complete(replica.readLocal(r.client(), r.query(), r.minPosition()));
    } else if (event instanceof LoopEvent.Tick) {
      lastTickStepNanos = System.nanoTime();
      // Timers run on the monotonic clock, which no clock step or wrong setting can move;
      // the wall clock only feeds agreed time, which the protocol bounds by a quorum.
      steps.add(new Step.Tick(System.nanoTime() / 1_000_000,
          System.currentTimeMillis() + wallClockOffsetMillis));
      pending.sweep();
    } else if (event instanceof LoopEvent.Member m) {
      membership.ask(m.ask()); // offerMember queues one only when there is a runtime
    } else if (event instanceof LoopEvent.SnapshotStored stored) {
      steps.add(new Step.SnapshotStored(stored.position(), stored.state()));
    } else if (event instanceof LoopEvent.CheckpointDigested digested) {
      steps.add(new Step.CheckpointDigested(digested.position(), digested.state()));
    } else if (event instanceof LoopEvent.EntriesRead read) {
      steps.add(new Step.EntriesRead(read.read()));
    } else if (event instanceof LoopEvent.Stop) {
      return true;
    }
    // LoopEvent.Durable only wakes the loop: the report was taken from the slot above.
    return false;
  }

  /** Takes a client's request off the queue: proposes it, relays it if asked, or answers it. */
  private void take(LoopEvent.Submit s, List<Step> steps) {
    questions.taken(QuestionBudget.of(s.request().command()));
    s.origin().taken();
    if (submit(s.request(), s.clientSignature(), s.origin(), steps)
        && s.authenticator() != null) {
      relay.hold(s.request(), s.authenticator());
      namePrimary(s.origin());
    }
  }

  /** Takes a linearizable read off the queue: the replica answers it in a step. */
  private void take(LoopEvent.Read r, List<Step> steps) {
    questions.taken(QuestionBudget.of(r.query()));
    r.origin().taken();
    long readId = pending.readTaken(r.client(), r.origin());
    steps.add(new Step.Read(readId, r.client(), r.query()));
  }

  /** Proposes a client's request, or answers it at once; whether it was proposed. */
  private boolean submit(Request request, byte[] clientSignature, Origin origin,
      List<Step> steps) {
    Status s = replica.status();
    if (s.role() != Role.LEADER && !everyReplicaOrders) {
      // Nothing is ordered: answer at once (a redirect promises nothing, so needs no fsync).
      origin.redirect(s.leader(), clientAddressOf.apply(s.leader()), "replica " + s.self()
          + " is not the leader");
      return false;
    }
    if (log.congested()) {
      // A slow disk is back-pressure: refuse new work retryably rather than queue it without
      // bound or let the log's full queue stall the loop (all queues are bounded).
      metrics.busy();
      origin.busy("replica busy: its disk is behind (" + log.queued() + " group commits queued)");
      return false;
    }
    pending.proposed(request, origin);
    steps.add(new Step.Propose(request, clientSignature));
    return true;
  }

  /** Gathers one step's effects into the current batch, resolving answers to their origins. */
  private void collect(Effects effects) {
    effects.writes().forEach(release::write);
    effects.entryReads().forEach(release::read);
    release.messages(misbehaviour.messages(effects.messages()));
    effects.checkpoints().forEach(checkpoints);
    for (Reply truth : effects.replies()) {
      pending.replied(misbehaviour.reply(truth));
    }
    for (QueryResult truth : effects.reads()) {
      pending.readAnswered(misbehaviour.read(truth));
    }
    effects.redirects().forEach(pending::redirected);
  }

  /**
   * On the log thread: a submission made the entries through {@code report} durable. Callbacks
   * run in submission order, so the latest report covers every earlier one; if the queue is full
   * the loop is awake anyway and finds the report in the slot.
   */
  private void durable(Step.Persisted report) {
    persisted.set(report);
    queue.offer(new LoopEvent.Durable());
  }

  /**
   * On the log thread: entries the protocol asked for were read back. Never waits for room (it
   * would stall the log): a full queue drops the answer, and the protocol asks again once it
   * gives up on it (Raft: after an election timeout).
   */
  private void readBack(io.lockstep.order.Input.EntriesRead read) {
    if (!queue.offer(new LoopEvent.EntriesRead(read))) {
      LOG.log(System.Logger.Level.WARNING, "event=log_read_dropped reason=\"loop queue full\"");
    }
  }

  /** True while the replica repairs damaged storage: it neither votes nor counts toward commits. */
  boolean repairing() {
    return published.repairing();
  }

  private void publish() {
    LoopStatus.Published now = published.publish(replica);
    if (now.lostLeadership() && !everyReplicaOrders) {
      pending.leadershipLost(now.status());
    }
  }

  /** See {@link ReplicaServer#describeForDiagnosis()}. */
  String describeForDiagnosis() {
    return replica.toString();
  }
}
