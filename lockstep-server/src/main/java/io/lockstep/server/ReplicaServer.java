package io.lockstep.server;

import io.lockstep.configuration.ReplicaSetCheck;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.StateMachine;
import io.lockstep.net.FrameClient;
import io.lockstep.net.NetOptions;
import io.lockstep.net.PeerNetwork;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.Protocols;
import io.lockstep.order.Recovered;
import io.lockstep.redis.RedisStore;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.Replica;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.lock.LockService;
import io.lockstep.server.wire.PeerEnvelope;
import io.lockstep.storage.DiskFaults;
import io.lockstep.storage.FileStorage;
import io.lockstep.storage.GroupCommitLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One replica process's runtime (threads, sockets, disks) around {@link Replica}: the configured
 * coordination protocol (found by name in {@link Protocols}; this class names none) + executor +
 * the state machine {@link LockstepReplica} chose ({@link RedisStore} for {@code kv},
 * {@link LockService} for {@code lock}, the user's class for {@code machine}).
 *
 * <p>Threads: Netty I/O threads decode peer and client frames and enqueue them into the loop's
 * one bounded queue; the loop thread ({@link ReplicaLoop}) owns the replica; the storage log
 * thread ({@link GroupCommitLog}) makes each batch's writes durable and only then sends its
 * messages and releases its answers; a timer posts a Tick every {@code tickMillis}.
 *
 * <p>Disks (docs/ARCHITECTURE.md, "Disks that are slow, full or failing"): a slow disk is
 * back-pressure — the log's queue makes the loop wait and the loop answers clients "busy" while
 * the log is congested, and {@link #healthProblem()} says "disk slow" while a group commit is
 * stalled. Any storage error (a full disk, EIO on write or fsync) or a broken invariant stops
 * the replica: it acknowledges nothing more, closes its peer and client ports, keeps
 * {@code /health} answering 503 with the reason until {@link #close()}, and {@link ReplicaMain}
 * exits non-zero so a supervisor restarts it once the disk is fixed; recovery then keeps
 * everything that was synced.
 *
 * <p>Ports: peers (the protocol's messages in its own codec, and the runtime's checkpoint
 * digests for divergence detection, told apart by {@link PeerEnvelope}'s channel byte), clients
 * ({@link io.lockstep.client.LockstepClient}), Redis (service {@code kv} only; followers
 * forward Redis commands to the leader so every replica's port serves linearizable reads and
 * writes), and HTTP {@code /metrics}, {@code /health} and the live cluster page ({@code /}).
 *
 * <p>Start: {@link FileStorage#recover()} gives a {@link Recovered} from which both the executor
 * ({@link Replica#recover}) and the protocol ({@link Protocol#create}) are rebuilt. A corrupt committed prefix makes
 * start fail with the storage's message. Stop: {@link #close()} stops accepting clients, lets the
 * loop finish, flushes the log, then closes sockets and storage.
 */
public final class ReplicaServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ReplicaServer.class.getName());
  private static final int LOOP_QUEUE = 50_000;
  /**
   * Largest peer message: a protocol may send a whole snapshot in one message (Raft's
   * InstallSnapshot) or many entries of at most 1 MiB (Raft's AppendEntries), and the store is
   * bounded at 256 MiB.
   */
  static final int PEER_MAX_PAYLOAD = 320 << 20;
  /** Largest client frame: a reply may carry several values (MGET). */
  public static final int CLIENT_MAX_PAYLOAD = 64 << 20;
  /**
   * Checkpoint digests kept per side for divergence detection: a peer up to this many digest
   * intervals ahead or behind is still compared.
   */
  static final int DIGEST_WINDOW = 64;

  private final ClusterConfig config;
  private final int id;
  private final StateMachine machine;
  private final ServerMetrics metrics;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final ScheduledThreadPoolExecutor timer;
  private final Protocol protocol;
  private final DiskFaults diskFaults;
  private final DivergenceMonitor divergence;
  private AssumptionWatch timing;
  private FileStorage storage;
  private GroupCommitLog log;
  private ReplicaLoop loop;
  private PreverifiedSigner signer;
  private SignatureIntake intake;
  /** Relays requests clients hand here with an authenticator (pbft clusters), else null. */
  private RequestRelay relay;
  private SnapshotThread snapshots;
  /** Divergence detection's digests, off the loop; started with the peer port they go to. */
  private StateDigests digests;
  private Thread loopThread;
  private ReplicaIdentity identity;
  private volatile PeerNetwork network;
  /** The file's addresses overlaid by the replicated ones; null until the loop is built. */
  private volatile AddressBook addresses;
  private final ClientEndpoints clients;
  private MemberForwarder memberForwarder;
  private HealthHttp http;
  /** Test only: what this replica lies with, if its cluster file says so. */
  private TestMisbehaviour misbehaviour = TestMisbehaviour.NONE;
  private volatile ServerJournal journal = ServerJournal.OFF;
  private volatile Throwable failure;
  private volatile boolean closing;
  private boolean httpClosed;
  /** The protocol's replica set is changed by ordered commands ({@link ReplicaSetCheck}). */
  private boolean orderedReplicaSet;

  private ReplicaServer(ClusterConfig config, int id, StateMachine machine,
      DiskFaults diskFaults) {
    this.config = config;
    this.id = id;
    this.machine = machine;
    this.diskFaults = diskFaults;
    this.metrics = new ServerMetrics(id);
    this.protocol = Protocols.named(config.protocol());
    this.divergence = new DivergenceMonitor(id, DIGEST_WINDOW);
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "lockstep-timer-" + id);
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    this.clients = new ClientEndpoints(config, id, metrics, timer);
  }

  /**
   * Recovers replica {@code id}'s storage and starts it with the built-in machine of the
   * config's service ({@code kv} or {@code lock}); {@link LockstepReplica#builder()} is the
   * general form.
   *
   * @throws IllegalArgumentException if {@code id} is not a replica of {@code config}, or the
   *     service is {@code machine} and its class is not on the class path
   * @throws IOException if storage is corrupt or unreadable, or a port cannot be bound
   */
  public static ReplicaServer start(ClusterConfig config, int id) throws IOException {
    try {
      return LockstepReplica.builder().config(config).id(id).start();
    } catch (ConfigException e) {
      throw new AssertionError("a ClusterConfig given as an object is never re-read", e);
    }
  }

  /** Starts replica {@code id} running {@code machine}, already checked by the builder. */
  static ReplicaServer start(ClusterConfig config, int id, StateMachine machine)
      throws IOException {
    return start(config, id, machine, DiskFaults.none());
  }

  /** As above, with a fault switch on the disk (tests and failure drills). */
  static ReplicaServer start(ClusterConfig config, int id, StateMachine machine,
      DiskFaults diskFaults) throws IOException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(diskFaults, "diskFaults");
    if (config.replica(id).isEmpty()) {
      throw new IllegalArgumentException("replica " + id + " is not in the cluster configuration;"
          + " replicas are " + config.members());
    }
    ReplicaServer server = new ReplicaServer(config, id, machine, diskFaults);
    try {
      server.boot();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void boot() throws IOException {
    ReplicaAddresses me = config.replica(id).orElseThrow();
    identity = ReplicaIdentity.load(config, id);
    Files.createDirectories(config.dataDirOf(id));
    storage = FileStorage.open(config.dataDirOf(id), FileStorage.Options.defaults(), diskFaults);
    Recovered recovered = storage.recover();
    Replica replica = recoverReplica(recovered);
    journal = ServerJournal.start(id, config.dataDirOf(id).resolve("journal"), config.journal());
    // The replica builds its events only for a journal other than Journal.OFF: with ours off,
    // give it that one, so "off" costs nothing and the on/off comparison measures the journal.
    replica.journal(journal.on() ? journal : Journal.OFF);
    journal.record(id, Event.of(Event.Kind.RESTART, "started with " + recovered.entries().size()
        + " log entries" + (recovered.damage() == null ? "" : ", damaged storage: repairing")));
    log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(), this::fatal);
    snapshots = new SnapshotThread(id, storage.snapshotStateWriter(), metrics, this::fatal);
    replica.writeSnapshotsElsewhere();
    startLoop(replica);
    startNetworks(me);
    logStarted(recovered);
  }

  /** The loop that owns the replica, with membership, signature intake and metrics bound. */
  private void startLoop(Replica replica) {
    loop = new ReplicaLoop(replica, snapshots, protocol.codec(), log, metrics, LOOP_QUEUE,
        config.requestTimeoutMillis(), this::clientAddressText, this::fatal);
    addresses = new AddressBook(config, id, () -> network, recordedKeys -> {
      if (identity.learnKeys(recordedKeys)) {
        signer.forgetVerdicts(); // a signature refused for want of the key may verify now
      }
    });
    loop.clientBytes(config.budgets().loopQueueBytes());
    loop.tickFirstAfter(Math.max(20, 4 * config.tickMillis()));
    loop.everyReplicaOrders(config.failureModel() == FailureModel.BYZANTINE
        || protocol.everyReplicaOrders());
    if (io.lockstep.client.Transmitter.RELAY.refusal(config) == null) {
      relay = new RequestRelay(id, metrics);
      loop.relay(relay);
    }
    loop.journal(journal);
    MembershipRuntime membership = new MembershipRuntime(id, addresses, config.spares(),
        config.voters().size(), config.configuratorUnreachableMillis(), metrics);
    memberForwarder = new MemberForwarder(() -> new FrameClient(
        ClientCredentials.forwarderConfig(config, id,
            NetOptions.defaults().withIoThreads(1).withMaxPayloadBytes(CLIENT_MAX_PAYLOAD))),
        leader -> addresses.client(leader).orElseThrow());
    membership.forwarder(memberForwarder);
    if (orderedReplicaSet) {
      membership.orderedReplicaSet();
    }
    loop.membership(membership);
    intake = new SignatureIntake(id, protocol.codec(), signer,
        SignatureIntake.threadsFor(Runtime.getRuntime().availableProcessors()), loop::offerPeer,
        metrics::peerDropped, metrics::signatureClaim);
    metrics.bind(loop, log, storage);
    metrics.bindDivergence(divergence);
    metrics.bindAssumptions(timing);
    metrics.bindSignatures(signer);
  }

  /**
   * The peer port, then the loop and its timers, then the client ports, the forwarder, Redis
   * and HTTP.
   */
  private void startNetworks(ReplicaAddresses me) throws IOException {
    PeerPort peerPort = startPeerPort(me);
    runLoop(peerPort);
    clients.start(me, identity, loop, addresses, relay, intake);
    metrics.bindRedis(clients.redis());
    metrics.bindNet("peer", network.stats());
    metrics.bindNet("client", clients.clientStats());
    http = HealthHttp.start(me.metrics(), id, metrics, loop::status, this::healthProblem,
        this::liveJson, misbehaviour.name());
  }

  /** Starts the loop thread, sending through the peer port, and the timers that drive it. */
  private void runLoop(PeerPort peerPort) {
    loop.peers(network::send);
    digests = new StateDigests(id, peerPort::checkpointed);
    loop.checkpoints(digests::submit);
    snapshots.comparing(peerPort::checkpointed);
    long clockOffset = config.testClockOffset(id);
    if (clockOffset != 0) {
      LOG.log(Level.WARNING, "replica " + id + " runs with its wall clock shifted by "
          + clockOffset + " ms (runtime.test-clock-offset-ms, for tests only)");
      loop.wallClockOffset(clockOffset);
    }
    if (misbehaviour.name() != null) {
      LOG.log(Level.WARNING, misbehaviour.warning());
      loop.misbehave(misbehaviour);
      timer.scheduleAtFixedRate(() -> LOG.log(Level.WARNING, misbehaviour.warning()), 1, 1,
          TimeUnit.MINUTES);
    }
    loopThread = new Thread(loop, "lockstep-loop-" + id);
    loopThread.start();
    timer.scheduleAtFixedRate(loop::tick, 0, config.tickMillis(), TimeUnit.MILLISECONDS);
    if (timing.watching()) {
      timer.scheduleAtFixedRate(peerPort::probeClocks, 0, AssumptionWatch.PROBE_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /** The peer network, whose arrivals go to a {@link PeerPort} (the network is null before). */
  private PeerPort startPeerPort(ReplicaAddresses me) throws IOException {
    NetOptions peerNet = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(PEER_MAX_PAYLOAD)
        .withQueue(8192, config.budgets().peerQueueBytes(Runtime.getRuntime().maxMemory()));
    PeerPort peerPort = new PeerPort(config, id, protocol.codec(), loop, intake, divergence, timing,
        metrics, () -> network, addresses::listed, relay);
    network = PeerNetwork.start(identity.peers(me.peer(), config.peerAddresses(), peerNet),
        peerPort::onPeer);
    return peerPort;
  }

  private void logStarted(Recovered recovered) {
    LOG.log(Level.INFO, "event=replica_started replica=" + id + " cluster=" + config.name()
        + " protocol=" + protocol.name() + " service=" + config.service()
        + " machine=" + machine.getClass().getName()
        + " recovered_entries=" + recovered.entries().size()
        + (recovered.damage() == null ? "" : " damaged_storage=repairing acknowledged_bound="
            + recovered.damage().acknowledgedBound())
        + " peer_port=" + network.port() + " client_port=" + clients.clientPort()
        + " redis_port=" + redisPort() + " metrics_port=" + http.port());
  }

  /** The replica rebuilt from storage, keeping what its protocol set up for the runtime. */
  private Replica recoverReplica(Recovered recovered) {
    RecoveredReplica rebuilt = RecoveredReplica.rebuild(config, id, machine, protocol, identity,
        storage, divergence, recovered);
    signer = rebuilt.signer();
    orderedReplicaSet = rebuilt.orderedReplicaSet();
    misbehaviour = rebuilt.misbehaviour();
    timing = rebuilt.timing();
    return rebuilt.replica();
  }

  private String clientAddressText(int replica) {
    AddressBook book = addresses;
    return book != null ? book.clientText(replica)
        : config.replica(replica).map(r -> ReplicaAddresses.text(r.client())).orElse("");
  }

  /**
   * Storage failed or an invariant broke: stop rather than lie. The health
   * endpoint stays up, answering 503 with the reason, until {@link #close()}.
   */
  private void fatal(Throwable cause) {
    if (closing && failure == null) {
      // The loop or the log gave up because close() stopped them, not because they broke.
      LOG.log(Level.DEBUG, "event=stopped_while_closing replica=" + id + " reason=\"" + cause
          + "\"");
      return;
    }
    if (failure == null) {
      failure = cause;
    }
    LOG.log(Level.ERROR, "event=replica_failed replica=" + id + " reason=\"" + cause + "\"",
        cause);
    Thread stopper = new Thread(() -> shutdown(false), "lockstep-stop-" + id);
    stopper.start();
  }

  /** This replica's figures for the live cluster page ({@code GET /replica.json}). */
  private String liveJson() {
    return LiveJson.replica(config, protocol.name(), loop.status(), healthProblem(),
        loop.repairing(), metrics.live(), System.currentTimeMillis());
  }

  /** True while the loop is live, storage healthy and no divergence was seen. */
  public boolean healthy() {
    return healthProblem().isEmpty();
  }

  /**
   * Why the replica is unhealthy (what {@code /health} shows with its 503), every reason that
   * holds, or empty while the loop is live, the disk keeps up, storage works and no divergence
   * was seen. Divergence is sticky until restart: a replica whose state differs from a peer's
   * must not look healthy again on its own.
   */
  public Optional<String> healthProblem() {
    List<String> reasons = new ArrayList<>();
    RuntimeHealth.problem(failure, closing, log, loop).ifPresent(reasons::add);
    divergence.problem().ifPresent(reasons::add);
    if (loop != null) {
      RuntimeHealth.removed(id, loop.status(), config.spares()).ifPresent(reasons::add);
    }
    if (timing != null) {
      timing.problem().ifPresent(reasons::add);
    }
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
  }

  /**
   * A read-only request answered by this replica alone from the state it has applied, without a
   * protocol round (paper §3: under fail-stop a read-only request may go to one replica; §4: a
   * client in this process may use its local replica). Possibly stale: see {@link
   * io.lockstep.replica.Replica#readLocal}, and pass the position of your own last write as
   * {@code minPosition} to be sure to see it. For a linearizable read use a client's query.
   *
   * @return the answer, completed off the replica's loop thread; failed with {@link
   *     java.util.concurrent.RejectedExecutionException} when the replica is overloaded or
   *     stopping, and with a {@link java.util.concurrent.TimeoutException} if the replica stopped
   *     before answering
   */
  public CompletableFuture<LocalRead> readOneReplica(ClientId caller, byte[] query,
      long minPosition) {
    return loop.offerReadOneReplica(caller, query.clone(), minPosition)
        .orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
        .thenApplyAsync(Function.identity());
  }

  /**
   * A client session in this process that takes this replica's replies (paper §4, S14): see
   * {@link ColocatedClient}. Each call opens a new session.
   *
   * @param id the session's client id, unique in the cluster
   */
  public ColocatedClient colocatedClient(ClientId id) {
    return new ColocatedClient(id, clients.ordering(), loop.localReplies,
        config.requestTimeoutMillis());
  }

  /** The replica's progress as last published by its loop. */
  public StatusView status() {
    return loop.status();
  }

  /** Test only: stalls and releases this replica's loop in-process ({@link TestLoopStall}). */
  TestLoopStall loopStall() {
    return loop.stall;
  }

  /**
   * The protocol's own account of its state (a leader's followers' progress, drops by reason),
   * read from another thread without the loop's cooperation: only for a test's diagnosis of
   * a stall, where a racy read beats none.
   */
  String describeForDiagnosis() {
    try {
      return loop.describeForDiagnosis();
    } catch (RuntimeException raced) {
      return "replica " + id + ": state unreadable (" + raced + ")";
    }
  }

  public int id() {
    return id;
  }

  /** The class name of the state machine this replica runs. */
  public String machineClass() {
    return machine.getClass().getName();
  }

  /** The peer port (useful when configured as 0). */
  public int peerPort() {
    return network.port();
  }

  /** The client port. */
  public int clientPort() {
    return clients.clientPort();
  }

  /** The Redis port, or -1 when the service is not {@code kv}. */
  public int redisPort() {
    return clients.redisPort();
  }

  /** The HTTP metrics and health port. */
  public int metricsPort() {
    return http.port();
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** Why the replica stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Blocks until the replica has stopped (by {@link #close()} or a failure). */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Graceful shutdown: stop accepting, let the loop finish, flush the log, close everything. */
  @Override
  public void close() {
    shutdown(true);
  }

  /**
   * Stops serving; {@code all} also closes the health endpoint (after a failure it stays up so
   * that the reason can be read). Bounded even on a stuck disk: the loop gets 5 s, the log its
   * close timeout, and storage whose log thread is stuck in a disk call is left to the process
   * exit rather than closed under that thread's feet.
   */
  private synchronized void shutdown(boolean all) {
    if (!closing) {
      closing = true;
      stopServing();
    }
    if (all && !httpClosed) {
      httpClosed = true;
      closeQuietly(http);
    }
  }

  private void stopServing() {
    clients.stopAccepting();
    timer.shutdownNow();
    if (loop != null) {
      loop.stop();
      joinLoop();
      loop.localReplies.close();
    }
    closeQuietly(snapshots);
    closeQuietly(digests);
    closeQuietly(log);
    closeQuietly(network);
    closeQuietly(intake);
    clients.closeForwarder();
    closeQuietly(memberForwarder);
    journal.record(id, Event.of(Event.Kind.CRASH, failure == null ? "stopped"
        : "failed: " + failure));
    closeQuietly(journal);
    if (log == null || log.stopped()) {
      closeQuietly(storage);
    } else {
      LOG.log(Level.ERROR, "event=storage_left_open replica=" + id + " reason=\"the log thread"
          + " is stuck in a disk call\"");
    }
    LOG.log(Level.INFO, "event=replica_stopped replica=" + id + " failed=" + (failure != null));
    terminated.countDown();
  }

  private void joinLoop() {
    if (loopThread == null || Thread.currentThread() == loopThread) {
      return;
    }
    try {
      loopThread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes {@code closeable} if there is one, logging rather than throwing a failure. */
  static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "event=close_failed what=" + closeable.getClass().getSimpleName(), e);
    }
  }
}
