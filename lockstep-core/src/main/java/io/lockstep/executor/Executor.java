package io.lockstep.executor;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import io.lockstep.configuration.ConfigurationRefusal;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.MembershipEntry;
import io.lockstep.configuration.Reconfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.SnapshotData;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Applies stable requests, in identifier order, to a user {@link StateMachine} (paper §3.2: a
 * replica next processes the stable request with the smallest identifier). Every coordination
 * protocol hands its output here, so everything the paper puts above the order lives here:
 *
 * <ul>
 *   <li>time-outs and default requests (paper §5.2 {@code schedule}, §6), fired before the first
 *       request whose agreed time reaches them, in order of due time then creation;
 *   <li>per-client FIFO order (O1) and exactly-once sessions (X4) with cached replies: a retry
 *       of any of a client's latest {@link ExecutorConfig#maxPendingPerClient()} requests gets
 *       that request's own reply again; an older one gets {@value #DUPLICATE};
 *   <li>defensive programming (paper §5.2, S17): the {@link ExecutorConfig#authorizer()} runs
 *       before each command, and refused or failing commands become rejected replies;
 *   <li>replicated clients (paper §5.1, S16): copies of one logical request are matched;
 *   <li>the configuration (paper §7, S20, {@link Reconfiguration}): requests of
 *       {@link SystemCommands#ADMIN} (and of its sessions, {@link SystemCommands#isAdmin}) are
 *       system commands, not the machine's; each change takes
 *       effect before the first request at or after its stated position; a removed client's
 *       session is dropped then, and its requests (from that position on, retries included) are
 *       refused with {@link ClusterConfiguration#removedClientReason}. Every reply carries the
 *       configuration's version, and {@link ConfigurationQuery} returns the configuration.
 * </ul>
 *
 * <p>Rules a reader of the replies should know. A request whose command was refused (by the
 * authorizer, by a {@link Rejection}, or by any other exception, reported as
 * {@value #COMMAND_FAILED}) still uses up its sequence number, and a retry
 * gets the same refusal; but a client without a session whose first request is refused by the
 * authorizer gets no session, so unauthorized clients cannot evict authorized clients'
 * sessions. A command that fails with an exception other than {@link Rejection} may have changed
 * state before failing; as commands are deterministic every replica fails alike. Null requests
 * advance position and time and fire time-outs but run nothing. Any command request, even one
 * refused, cancels the defaults that stood in for its client (paper §6: the client was heard).
 * The agreed time used is the larger of the request's and the previous one, so time never runs
 * backwards even if a protocol lets it.
 *
 * <p>Scheduled requests. A time-out or default runs at the current position (its
 * {@link io.lockstep.machine.Context#position()}) but sees its own due time as
 * {@link io.lockstep.machine.Context#time()} (never less than the previous agreed time), so a
 * holding time B is exactly B. A time-out runs as the client whose command scheduled it, a
 * default as the expected client. They are the state machine's own requests: the authorizer is
 * not consulted, sessions are not touched, and their outputs and refusals go nowhere. At most
 * {@value #MAX_FIRINGS_PER_POSITION} fire before one position; the rest fire before the next.
 *
 * <p>Sessions are bounded by {@link ExecutorConfig#maxSessions()}: opening one more evicts the
 * session least recently used (by position, ties by client id; the same on every replica). An
 * evicted client's next request gets {@value #UNKNOWN_SESSION} unless it starts again at
 * sequence 1, and requests it had buffered are dropped.
 *
 * <p>Not thread-safe: one thread owns an executor. No clocks, threads or I/O.
 */
public final class Executor {
  /**
   * Most scheduled requests fired before one position. A command that keeps scheduling itself
   * with delay 0 would otherwise stall every replica; the rest fire at the next position.
   */
  static final int MAX_FIRINGS_PER_POSITION = 10_000;

  /** Reason given to a client whose session does not exist (never opened, or evicted). */
  public static final String UNKNOWN_SESSION = "unknown or expired session";
  /** Reason given to a retry of a request older than the client's last executed one. */
  public static final String DUPLICATE = "duplicate of an already executed request";
  /**
   * Start of the reason given to a request refused because too many of its client's requests
   * already wait for an earlier one (the window of {@link ExecutorConfig#maxPendingPerClient()}).
   * Such a request was neither run nor kept, and its reply is not cached: a retry with the same
   * sequence number is safe and is how a client recovers, so clients treat it as "busy", never
   * as a final refusal. Test with {@link #windowFull(String)}.
   */
  public static final String WINDOW_FULL = "busy: the client's request window is full:";
  /**
   * Reason given when a command threw something other than {@link Rejection}. The reply is
   * replicated state (cached in the session, hence in snapshots and state digests), so it must
   * be the same on every replica; an exception's message is not (JDK messages differ between
   * versions, vendors and locales, and so can a class name from a different build). The
   * exception itself is logged by the replica that ran it, with the request's id.
   */
  public static final String COMMAND_FAILED =
      "command failed: the state machine threw an exception (see the replica log)";
  /** Reason given when the authorizer threw; deterministic for the same reason as above. */
  public static final String AUTHORIZER_FAILED =
      "authorizer failed: it threw an exception (see the replica log)";

  private final StateMachine machine;
  private final ExecutorConfig config;
  private final Sessions sessions;
  private final Timers timers = new Timers();
  private final ReplicatedInputs copies;
  private final CommandRunner runner;
  private final Reconfiguration configuration = new Reconfiguration();
  private long appliedPosition;
  private long time;

  public Executor(StateMachine machine, ExecutorConfig config) {
    this.machine = Objects.requireNonNull(machine, "machine");
    this.config = Objects.requireNonNull(config, "config");
    this.sessions = new Sessions(config.maxSessions());
    this.copies = new ReplicatedInputs(config.t(), config.maxPendingPerClient(), config.merger());
    this.runner = new CommandRunner(machine, config, timers);
  }

  /**
   * Applies one stable request.
   *
   * @return the replies it produced, in order: none for a null request, a buffered request or a
   *     copy still being matched; possibly several when it releases buffered requests
   * @throws IllegalStateException if {@code ordered.position()} is not beyond the last applied
   */
  public List<Reply> apply(Ordered ordered) {
    Objects.requireNonNull(ordered, "ordered");
    if (ordered.position() <= appliedPosition) {
      throw new IllegalStateException("position " + ordered.position()
          + " is not after the last applied position " + appliedPosition);
    }
    long now = Math.max(ordered.time(), time);
    dropRemoved(configuration.takeEffect(ordered.position()));
    fireDue(ordered.position(), now);
    List<Reply> replies = new ArrayList<>();
    Request request = ordered.request();
    String removed = configuration.refusal(request.client());
    if (request.kind() == Request.Kind.COMMAND && removed != null) {
      // Final: nothing of a removed client runs, and it is no longer heard (no default cancelled).
      replies.add(rejected(request.client(), request.sequence(), ordered.position(), removed));
    } else if (request.kind() == Request.Kind.COMMAND) {
      timers.cancelDefaults(request.client());
      receive(request, ordered.position(), now, replies);
    } else if (MembershipEntry.is(request) && MembershipEntry.problem(request) == null) {
      // Paper §7: the replica set follows the protocol's membership (a malformed entry, which
      // the protocol's own checks keep out of the log, is ignored alike everywhere).
      configuration.followMembership(MembershipEntry.voters(request));
    }
    appliedPosition = ordered.position();
    time = now;
    return replies;
  }

  /**
   * Runs a read-only query against the current state (paper §3 relaxation for read-only
   * requests). The authorizer is consulted as for commands.
   *
   * @throws Rejection if the authorizer or the state machine refuses the query
   */
  public byte[] query(ClientId caller, byte[] query) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(query, "query");
    if (ConfigurationQuery.is(query)) {
      return ConfigurationQuery.isFull(query)
          ? ConfigurationCodec.encodeFull(configuration.current())
          : ConfigurationCodec.encode(configuration.current());
    }
    String removed = configuration.refusal(caller);
    if (removed != null) {
      throw new Rejection(removed);
    }
    Optional<String> refusal = authorize(caller, query);
    if (refusal.isPresent()) {
      throw new Rejection(refusal.get());
    }
    byte[] out = machine.query(query.clone(), caller);
    return out == null ? new byte[0] : out;
  }

  /** The last applied position, 0 before the first. */
  public long appliedPosition() {
    return appliedPosition;
  }

  /** The agreed time at the last applied position, 0 before the first. */
  public long time() {
    return time;
  }

  /** The earliest agreed time at which a time-out or a default request is due; empty if none. */
  public OptionalLong nextDue() {
    return timers.nextDue();
  }

  /** This executor's configuration. */
  public ExecutorConfig config() {
    return config;
  }

  /**
   * The protocol's rule for replica-set changes, applied where a {@code SetReplicas} is ordered
   * ({@link io.lockstep.configuration.ReplicaSetCheck}); the runtime sets it before the first
   * request, the same on every replica.
   */
  public void replicaSetCheck(io.lockstep.configuration.ReplicaSetCheck check) {
    configuration.replicaSetCheck(check);
  }

  /** The cluster configuration (clients, devices, replicas) at the applied position (S20). */
  public ClusterConfiguration configuration() {
    return configuration.current();
  }

  /**
   * The WRONG rule, kept only so that the simulator can show why the stated position matters:
   * makes a system command take effect as soon as this replica's log holds it, at whatever
   * position this replica has applied (Raft's rule for its own membership), instead of at its
   * stated position. Replicas append at different moments, so they then disagree. The runtime
   * never calls this; requests of other clients are ignored.
   */
  public void takeEffectAtAppendForTest(Request appended) {
    if (!SystemCommands.isAdmin(appended.client())
        || appended.kind() != Request.Kind.COMMAND) {
      return;
    }
    long from = Math.max(1, appliedPosition);
    try {
      configuration.order(SystemCommands.decode(appended.command()), from, 1);
    } catch (IllegalArgumentException | ConfigurationRefusal e) {
      return;
    }
    dropRemoved(configuration.takeEffect(from + 1));
  }

  /**
   * The reply this executor already gave to {@code client}'s request {@code sequence}, if that
   * request executed and its reply is still in the session's window (PBFT's "last reply": a
   * retransmission is answered with it rather than ordered again). A lookup only: it neither
   * runs anything nor touches the session's use, which is replicated state every replica must
   * change alike.
   */
  public Optional<Reply> cachedReply(ClientId client, long sequence) {
    Session session = sessions.get(Objects.requireNonNull(client, "client"));
    if (session == null || sequence > session.lastSequence) {
      return Optional.empty();
    }
    return Optional.ofNullable(session.reply(sequence));
  }

  /** Number of open client sessions (for metrics and tests). */
  public int sessionCount() {
    return sessions.size();
  }

  /** Number of pending time-outs and default requests (for metrics and tests). */
  public int scheduledCount() {
    return timers.size();
  }

  /**
   * Encodes the whole replicated state: the state machine's snapshot, sessions, buffered
   * requests, time-outs, defaults, replicated-client copies, applied position and time, in the
   * versioned, checksummed format of {@link SnapshotFormat}. Equal on every correct replica at
   * the same position. For a large state use {@link #captureSnapshot()} and stream it.
   */
  public byte[] snapshot() {
    return captureSnapshot().toByteArray();
  }

  /**
   * Captures the whole replicated state at the applied position for writing later, possibly on
   * another thread while this executor goes on applying (see {@link CapturedSnapshot}).
   */
  public CapturedSnapshot captureSnapshot() {
    SnapshotWriter state = machine.captureSnapshot();
    if (state == null) {
      throw new IllegalStateException("state machine returned a null snapshot at position "
          + appliedPosition);
    }
    byte[] part = SnapshotFormat.encodeExecutorPart(sessions.sorted(), timers.nextCreation(),
        timers.inOrder(), copies.open(), configuration.current());
    return new CapturedSnapshot(appliedPosition, time, part, state);
  }

  /**
   * Replaces the whole state with a {@link #snapshot()} (possibly another replica's).
   *
   * @throws IllegalArgumentException if the snapshot is corrupt; the state is then unchanged
   */
  public void restore(byte[] snapshot) {
    if (snapshot == null) {
      throw new IllegalArgumentException("corrupt executor snapshot: null");
    }
    restore(SnapshotData.of(snapshot));
  }

  /**
   * Replaces the whole state with an encoded snapshot, reading it as a stream: first whole, to
   * check its checksum, so a corrupt snapshot changes nothing; then to restore it.
   *
   * @throws IllegalArgumentException if the snapshot is corrupt; the state is then unchanged,
   *     except if its checksum matches and the state machine itself refuses its part (a bug in
   *     the machine or in the replica that wrote it), which leaves the machine as it says
   * @throws UncheckedIOException if stored snapshot data cannot be read
   */
  public void restore(SnapshotData snapshot) {
    SnapshotReading.restore(snapshot, config.replica(), machine, this::restoreExecutorPart);
  }

  /**
   * The replicated configuration an encoded snapshot holds, read without restoring anything:
   * a protocol whose replica set is executor state (PBFT) reads it from a checkpoint's state.
   *
   * @throws IllegalArgumentException if the snapshot is corrupt
   */
  public static ClusterConfiguration configurationIn(SnapshotData snapshot) {
    return SnapshotReading.configurationIn(snapshot);
  }

  /** The executor's own part of a restore, after the state machine's (see SnapshotReading). */
  private void restoreExecutorPart(ExecutorImage image) {
    sessions.reset(image.sessions());
    timers.reset(image.scheduled(), image.nextCreation());
    copies.reset(image.copies());
    configuration.reset(image.configuration());
    appliedPosition = image.appliedPosition();
    time = image.time();
  }

  /** Hex SHA-256 of {@link #snapshot()}: what replicas compare to detect divergence (S1). */
  public String digest() {
    return captureSnapshot().digest();
  }

  /** Paper §5.2/§6: every time-out and default due by {@code now} runs before the request. */
  private void fireDue(long position, long now) {
    int subIndex = 0;
    while (subIndex < MAX_FIRINGS_PER_POSITION) {
      Scheduled due = timers.pollDue(now);
      if (due == null) {
        return;
      }
      subIndex++;
      // It runs at its own due time, so a holding time B means B (never less than the last time).
      long at = Math.max(due.due(), time);
      CommandRunner.Outcome outcome = runner.run(due.command(),
          new ExecutionContext(at, due.client(), position, subIndex, due.kind(), room()));
      if (outcome.failure() != null) {
        CommandRunner.logFailure("scheduled_" + due.kind(), due.client(), -1, position,
            outcome.failure());
      }
    }
  }

  private void receive(Request request, long position, long now, List<Reply> replies) {
    ClientId client = request.client();
    Integer replicas = config.replicatedClients().get(client);
    if (replicas == null) {
      if (request.copyFrom() != null) {
        replies.add(rejected(client, request.sequence(), position, "client " + client
            + " is not a replicated client, so its requests must not name a copyFrom"));
        return;
      }
      submit(client, request.sequence(), new Session.Pending(position, request.command(), null),
          position, now, replies);
      return;
    }
    receiveCopy(request, replicas, position, now, replies);
  }

  /** Paper §5.1: a copy of a replicated client's logical request (client, sequence). */
  private void receiveCopy(Request copy, int replicas, long position, long now,
      List<Reply> replies) {
    ClientId client = copy.client();
    long sequence = copy.sequence();
    if (copy.copyFrom() == null) {
      replies.add(rejected(client, sequence, position, "requests of replicated client " + client
          + " must name the client replica that sent them (copyFrom)"));
      return;
    }
    Session session = sessions.get(client);
    if (session != null && session.buffered.containsKey(sequence)) {
      return;
    }
    boolean decidedBefore = session == null ? sequence != 1 : sequence <= session.lastSequence;
    if (session != null && sequence > session.lastSequence + config.maxPendingPerClient()) {
      // Only a window of logical requests may be matched at once, so copies a faulty client
      // replica sends far ahead cannot crowd out the correct replicas' copies.
      replies.add(rejected(client, sequence, position, WINDOW_FULL + " request #" + sequence
          + " of " + client + " is too far ahead of #" + session.lastSequence + "; the window is "
          + config.maxPendingPerClient()));
      return;
    }
    if (decidedBefore || config.failureModel() == FailureModel.FAIL_STOP) {
      // Fail-stop: the first copy runs; later copies meet the session as duplicates.
      submit(client, sequence, new Session.Pending(position, copy.command(), null), position, now,
          replies);
      return;
    }
    ReplicatedInputs.Outcome outcome =
        copies.offer(client, sequence, copy.copyFrom(), copy.command(), replicas);
    switch (outcome.status()) {
      case WAITING -> { }
      case OVERFLOW -> replies.add(rejected(client, sequence, position, WINDOW_FULL
          + " too many logical requests of " + client + " are being matched; the limit is "
          + config.maxPendingPerClient()));
      case DECIDED -> submit(client, sequence, new Session.Pending(position,
          outcome.command() == null ? new byte[0] : outcome.command(), outcome.refusal()),
          position, now, replies);
      default -> throw new IllegalStateException("unknown outcome " + outcome.status());
    }
  }

  /** X4 and O1: run the request if it is the client's next, answer duplicates, buffer gaps. */
  private void submit(ClientId client, long sequence, Session.Pending request, long position,
      long now, List<Reply> replies) {
    Session session = sessions.get(client);
    if (session == null) {
      openSession(client, sequence, request, position, now, replies);
      return;
    }
    sessions.touch(session, position);
    if (sequence <= session.lastSequence) {
      Reply cached = session.reply(sequence);
      replies.add(cached != null ? cached : rejected(client, sequence, position, DUPLICATE));
    } else if (sequence > session.lastSequence + 1) {
      buffer(session, sequence, request, position, replies);
    } else {
      record(session, execute(client, sequence, request, now), replies);
      release(session, now, replies);
    }
  }

  private void openSession(ClientId client, long sequence, Session.Pending request,
      long position, long now, List<Reply> replies) {
    if (sequence != 1) {
      replies.add(rejected(client, sequence, position, UNKNOWN_SESSION));
      return;
    }
    if (needsAuthorization(client, request)) {
      Optional<String> refusal = authorize(client, request.command());
      if (refusal.isPresent()) {
        replies.add(rejected(client, sequence, request.position(), refusal.get()));
        return;
      }
    }
    Session session = new Session(client, position);
    sessions.open(session).forEach(copies::forget);
    record(session, runAuthorized(client, sequence, request, now), replies);
  }

  private void buffer(Session session, long sequence, Session.Pending request, long position,
      List<Reply> replies) {
    if (session.buffered.containsKey(sequence)) {
      return;
    }
    if (session.buffered.size() >= config.maxPendingPerClient()) {
      replies.add(rejected(session.client, sequence, position, WINDOW_FULL + " too many requests"
          + " of " + session.client + " wait for #" + (session.lastSequence + 1)
          + "; the limit is " + config.maxPendingPerClient()));
      return;
    }
    session.buffered.put(sequence, request);
  }

  /** O1: requests that arrived early run as soon as their predecessor has. */
  private void release(Session session, long now, List<Reply> replies) {
    while (!session.buffered.isEmpty()
        && session.buffered.firstKey() == session.lastSequence + 1) {
      Session.Pending next = session.buffered.pollFirstEntry().getValue();
      record(session, execute(session.client, session.lastSequence + 1, next, now), replies);
    }
  }

  private void record(Session session, Reply reply, List<Reply> replies) {
    session.executed(reply, config.maxPendingPerClient());
    replies.add(reply);
  }

  private Reply execute(ClientId client, long sequence, Session.Pending request, long now) {
    if (needsAuthorization(client, request)) {
      Optional<String> refusal = authorize(client, request.command());
      if (refusal.isPresent()) {
        return rejected(client, sequence, request.position(), refusal.get());
      }
    }
    return runAuthorized(client, sequence, request, now);
  }

  /** System commands and configuration reads are the executor's own, not the machine's. */
  private static boolean needsAuthorization(ClientId client, Session.Pending request) {
    return request.refusal() == null && !SystemCommands.isAdmin(client)
        && !ConfigurationQuery.is(request.command());
  }

  private Reply runAuthorized(ClientId client, long sequence, Session.Pending request, long now) {
    if (request.refusal() != null) {
      return rejected(client, sequence, request.position(), request.refusal());
    }
    if (ConfigurationQuery.is(request.command())) {
      // An ordered read of the configuration (a PBFT cluster whose replica set can change orders
      // its reads): the executor answers it, as it answers the unordered query, never the machine.
      // The full form (with replicas' recorded addresses and keys) when asked for: an operator
      // adding a machine to a Byzantine cluster must see which replicas are recorded with keys.
      byte[] value = ConfigurationQuery.isFull(request.command())
          ? ConfigurationCodec.encodeFull(configuration.current())
          : ConfigurationCodec.encode(configuration.current());
      return new Reply(client, sequence, Reply.Status.OK, value, "", request.position(),
          config.replica(), configuration.version());
    }
    if (SystemCommands.isAdmin(client)) {
      return runSystem(client, sequence, request);
    }
    ExecutionContext context =
        new ExecutionContext(now, client, request.position(), 0, null, room());
    CommandRunner.Outcome outcome = runner.run(request.command(), context);
    if (outcome.failure() != null) {
      CommandRunner.logFailure("command", client, sequence, request.position(),
          outcome.failure());
    }
    return outcome.refusal() == null
        ? new Reply(client, sequence, Reply.Status.OK, outcome.value(), "", request.position(),
            config.replica(), configuration.version())
        : rejected(client, sequence, request.position(), outcome.refusal());
  }

  /** Paper §7: a system command joins the configuration's pending changes, or is refused. */
  private Reply runSystem(ClientId admin, long sequence, Session.Pending request) {
    try {
      SystemCommand command = SystemCommands.decode(request.command());
      long at = configuration.order(command, request.position(), config.configurationDistance());
      return new Reply(admin, sequence, Reply.Status.OK, SystemCommands.receipt(at), "",
          request.position(), config.replica(), configuration.version());
    } catch (ConfigurationRefusal | IllegalArgumentException e) {
      // Both messages are built from the command and the configuration: the same everywhere.
      return rejected(admin, sequence, request.position(), e.getMessage());
    }
  }

  /** A removed client's session goes (paper §7): nothing of it is kept or answered again. */
  private void dropRemoved(List<PendingChange> changes) {
    for (PendingChange change : changes) {
      if (change.command() instanceof SystemCommand.RemoveClient removed) {
        sessions.remove(removed.client());
        copies.forget(removed.client());
      }
    }
  }

  private Optional<String> authorize(ClientId client, byte[] command) {
    return runner.authorize(client, command, appliedPosition);
  }

  /** True if {@code reason} is a {@link #WINDOW_FULL} refusal: busy, retry the same request. */
  public static boolean windowFull(String reason) {
    return reason != null && reason.startsWith(WINDOW_FULL);
  }

  private int room() {
    return Math.max(0, Timers.MAX_SCHEDULED - timers.size());
  }

  private Reply rejected(ClientId client, long sequence, long position, String reason) {
    return new Reply(client, sequence, Reply.Status.REJECTED, new byte[0], reason, position,
        config.replica(), configuration.version());
  }

}
