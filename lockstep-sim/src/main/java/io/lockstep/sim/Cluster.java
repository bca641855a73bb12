package io.lockstep.sim;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.journal.Event;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Configuration;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Status;
import io.lockstep.replica.Replica;
import io.lockstep.replica.Step;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated replicas: each a {@link Replica} (protocol + executor + the
 * {@link RegisterService}'s state machine) with its own clock and disk, driven by ticks,
 * messages and client requests from the event queue.
 *
 * <p>The runtime contract is modelled exactly (Ready, StorageWrite) by each replica's
 * {@link SimLoop}: after each step the replica's writes go to its disk, and its messages and
 * client outputs leave only once those writes, and every earlier one, are durable. This class
 * owns the replicas' lives: a crash discards the replica's memory, its fsyncs in progress and
 * everything waiting for them; a restart rebuilds it from what the disk kept.
 */
final class Cluster {
  /** One replica slot: what survives crashes (clock, disk) and what does not. */
  static final class Node {
    final int id;
    final SimClock clock;
    final SimDisk disk;
    final MessageInterceptor interceptor;
    final SplittableRandom interceptorRandom;
    Replica replica;
    boolean up;
    int incarnation;
    /** Which chain of ticks is current: a pause that ends early starts a new one at once. */
    int tickChain;
    long pausedUntil;
    /** The end of its latest pause (kept after a resume, unlike {@link #pausedUntil}). */
    long lastPauseEnd = Long.MIN_VALUE;
    /** Restart delay of an armed crash that strikes during the next fsync; 0 = none armed. */
    long crashDuringSyncThenDownFor;
    /** Inputs waiting for the replica's loop, stepped together by the next flush (X3). */
    final List<Step> inbox = new ArrayList<>();
    boolean flushScheduled;
    /** Until when the loop is busy with its latest batch. */
    long busyUntil;
    /** The protocol of the running incarnation (to ask whether it repairs). */
    Coordination protocol;
    /**
     * Why its storage was found damaged (a bit flip, a detected lost write): it restarts in
     * repair mode and this stays set until the protocol says it repaired; null = intact.
     */
    String damaged;
    /**
     * Its data directory was wiped and the protocol has not yet found out (started repairing):
     * until then it counts as damaged even while it does not repair.
     */
    boolean wipeUndetected;
    /** A lost write is armed or pending on its disk (counts as possible permanent damage). */
    boolean lostWriteArmed;
    /** Failed for good or retired by a membership change: never restarted. */
    boolean gone;
    /** Gone, but still in the configuration: it counts as a crashed voter. */
    boolean stillMember;
    /** Until when its disk cannot serve a restart (full, or EIO on read), and why. */
    long diskUnavailableUntil;
    String diskUnavailableReason;

    Node(int id, SimClock clock, SimDisk disk, MessageInterceptor interceptor,
        SplittableRandom interceptorRandom) {
      this.id = id;
      this.clock = clock;
      this.disk = disk;
      this.interceptor = interceptor;
      this.interceptorRandom = interceptorRandom;
    }
  }

  private final SimOptions options;
  private final CoordinationFactory factory;
  private final RegisterService service;
  private final EventQueue queue;
  private final Trace trace;
  private final Monitor monitor;
  private final SplittableRandom seeds;
  private final List<Integer> members;
  private final Node[] nodes;
  private final SimLoop loop;

  Cluster(SimOptions options, CoordinationFactory factory, RegisterService service,
      Map<Integer, MessageInterceptor> bad, EventQueue queue, Trace trace, Monitor monitor,
      SplittableRandom random) {
    this.options = options;
    this.service = service;
    this.factory = factory;
    this.queue = queue;
    this.trace = trace;
    this.monitor = monitor;
    this.seeds = random.split();
    this.loop = new SimLoop(this, options, factory, queue, trace, monitor, random.split());
    List<Integer> ids = new ArrayList<>();
    this.nodes = new Node[options.nodes()];
    for (int i = 0; i < nodes.length; i++) {
      if (i < options.replicas()) {
        ids.add(i); // the initial voters; the rest are spares a membership change may add
      }
      nodes[i] = new Node(i, new SimClock(options.clocks(), random.split()),
          new SimDisk(options.disk(), random.split()), bad.get(i), random.split());
    }
    this.members = List.copyOf(ids);
  }

  /** Connects the cluster to the network and clients (they are built after it). */
  void connect(Network net, ClientRouter clients) {
    loop.connect(net, clients);
  }

  int size() {
    return nodes.length;
  }

  Node node(int id) {
    return nodes[id];
  }

  /** Starts every replica from empty storage, with ticks at random phases. */
  void start(SplittableRandom phases) {
    for (Node node : nodes) {
      boot(node, phases.nextLong(node.clock.tickPeriodNanos()));
    }
  }

  private void boot(Node node, long firstTickDelay) {
    Recovered recovered = node.disk.recovered();
    monitor.onBoot(node.id, recovered);
    ExecutorConfig config = ExecutorConfig.defaults(node.id)
        .withFailureModel(factory.failureModel(), options.t())
        .withConfigurationDistance(options.configuration().distance());
    long seed = seeds.nextLong();
    try {
      Executor executor = Replica.recover(service.newMachine(), config, recovered);
      Coordination created = factory.create(node.id, members, recovered, seed);
      Coordination protocol = checked(node) ? new ObservedCoordination(node.id, created,
          monitor, trace, queue) : created;
      node.protocol = protocol;
      node.replica = new Replica(node.id, protocol, executor, options.snapshotEvery(),
          options.digestEvery());
      if (trace.journaling()) {
        node.replica.journal((replica, event) -> trace.event(queue.now(), replica, event));
      }
    } catch (RuntimeException e) {
      throw SimFailure.thrownBy(node.id, e);
    }
    node.up = true;
    node.incarnation++;
    trace.record(queue.now(), "boot " + node.id + " inc=" + node.incarnation + " applied="
        + node.replica.appliedPosition() + " entries=" + recovered.entries().size());
    trace.event(queue.now(), node.id, Event.of(Event.Kind.RESTART, "incarnation "
        + node.incarnation + ", applied " + node.replica.appliedPosition()));
    int incarnation = node.incarnation;
    int chain = node.tickChain;
    queue.after(firstTickDelay, () -> tick(node, incarnation, chain));
  }

  /** Crash: the replica's memory and its unsynced writes are lost. */
  void crash(int id) {
    Node node = nodes[id];
    if (!node.up) {
      return;
    }
    node.crashDuringSyncThenDownFor = 0;
    node.up = false;
    node.incarnation++;
    node.replica = null;
    node.pausedUntil = 0;
    node.inbox.clear();
    node.flushScheduled = false;
    node.busyUntil = 0;
    trace.record(queue.now(), "crash " + id + " " + node.disk.crash());
    trace.event(queue.now(), id, Event.of(Event.Kind.CRASH, "crash"));
    if (node.disk.takeLostWriteDetected()) {
      node.damaged = "a lost write: a checksum gap in the middle of its log";
      trace.record(queue.now(), "damage " + id + " " + node.disk.damage(false));
    }
    node.lostWriteArmed = false;
  }

  /**
   * Storage damage at rest (a bit flip in a log record or a snapshot file) on replica {@code id},
   * found by the restart that follows its crash now: it restarts in repair mode.
   */
  void damage(int id, String reason, boolean snapshotFile) {
    crash(id);
    nodes[id].damaged = reason;
    trace.event(queue.now(), id, Event.of(Event.Kind.DISK, reason));
    trace.record(queue.now(), "damage " + id + " " + nodes[id].disk.damage(snapshotFile));
  }

  /** Damage at rest to replica {@code id}'s newest hard state, found by its restart. */
  void damageHardState(int id) {
    crash(id);
    nodes[id].damaged = "a bit flip in its newest hard state";
    trace.record(queue.now(), "damage " + id + " " + nodes[id].disk.damageHardState());
  }

  /**
   * Replica {@code id}'s whole data directory is deleted and it restarts empty later, with no
   * {@code rejoin-empty} file: only its peers' memory can tell it that it is not new.
   */
  void wipe(int id) {
    crash(id);
    nodes[id].damaged = "its data directory wiped";
    nodes[id].wipeUndetected = true;
    trace.event(queue.now(), id, Event.of(Event.Kind.DISK, "data directory wiped"));
    trace.record(queue.now(), "damage " + id + " " + nodes[id].disk.wipe());
  }

  /** A damaged replica whose protocol finished repairing (and persisted that) is intact again. */
  void noteRepaired(Node node) {
    if (node.wipeUndetected) {
      if (node.protocol.repairing()) {
        node.wipeUndetected = false;
        trace.record(queue.now(), "wipe-detected " + node.id);
      }
      return;
    }
    if (node.damaged != null && !node.protocol.repairing() && !node.disk.damagePending()) {
      trace.record(queue.now(), "repaired " + node.id + " after " + node.damaged);
      node.damaged = null;
    }
  }

  /** Until {@code until} (simulated ns) replica {@code id}'s disk refuses restarts. */
  void diskUnavailable(int id, long until, String reason) {
    Node node = nodes[id];
    node.diskUnavailableUntil = Math.max(node.diskUnavailableUntil, until);
    node.diskUnavailableReason = reason;
  }

  /** Replicas whose storage is damaged and not yet repaired, or may be (an armed lost write). */
  int damagedOrArmed() {
    int count = 0;
    for (Node node : nodes) {
      count += node.damaged != null || node.lostWriteArmed ? 1 : 0;
    }
    return count;
  }

  /** The liveness phase: full disks are freed and failing ones replaced (not damaged data). */
  void repairDisks() {
    for (Node node : nodes) {
      node.diskUnavailableUntil = 0;
    }
  }

  /**
   * Arms a crash that strikes in the middle of the replica's next fsync, so that writes in flight
   * are lost or torn (the fault that lost acknowledged writes in real systems), and restarts it
   * {@code downFor} nanoseconds later. If no fsync starts within {@code patience} nanoseconds, it
   * crashes then anyway.
   */
  void crashDuringNextSync(int id, long downFor, long patience) {
    Node node = nodes[id];
    if (!node.up || node.crashDuringSyncThenDownFor > 0) {
      return;
    }
    node.crashDuringSyncThenDownFor = Math.max(1, downFor);
    int incarnation = node.incarnation;
    trace.record(queue.now(), "armcrash " + id);
    queue.after(patience, () -> {
      if (node.up && node.incarnation == incarnation && node.crashDuringSyncThenDownFor > 0) {
        crashAndRestartLater(node, node.crashDuringSyncThenDownFor);
      }
    });
  }

  void crashAndRestartLater(Node node, long downFor) {
    crash(node.id);
    int incarnation = node.incarnation;
    queue.after(downFor, () -> {
      if (node.incarnation == incarnation) {
        restart(node.id);
      }
    });
  }

  /** Disarms every armed crash (the liveness phase starts). */
  void disarmCrashes() {
    for (Node node : nodes) {
      node.crashDuringSyncThenDownFor = 0;
    }
  }

  /**
   * Restart from what the disk kept, unless the disk refuses: damaged storage starts in repair
   * mode; a full or failing disk refuses until it is fixed, then the replica restarts.
   */
  void restart(int id) {
    Node node = nodes[id];
    if (node.up || node.gone) {
      return;
    }
    if (factory.failStop() && !factory.rejoins()) {
      trace.record(queue.now(), "stays-down " + id + " (fail-stop)");
      return;
    }
    if (node.damaged != null) {
      trace.record(queue.now(), "repair-start " + id + " after " + node.damaged);
    }
    if (queue.now() < node.diskUnavailableUntil) {
      trace.record(queue.now(), "refuse-start " + id + " " + node.diskUnavailableReason);
      int incarnation = node.incarnation;
      queue.at(node.diskUnavailableUntil, () -> {
        if (node.incarnation == incarnation) {
          restart(id);
        }
      });
      return;
    }
    boot(node, 0);
  }

  /** SIGSTOP-like pause: the replica handles nothing until {@code until}, then catches up. */
  void pause(int id, long until) {
    Node node = nodes[id];
    if (node.up) {
      node.pausedUntil = Math.max(node.pausedUntil, until);
      node.lastPauseEnd = node.pausedUntil;
      trace.record(queue.now(), "pause " + id + " until " + node.pausedUntil);
      trace.event(queue.now(), id, Event.of(Event.Kind.PAUSE, "for "
          + (node.pausedUntil - queue.now()) / 1_000_000 + " ms"));
      if (factory.failStop()) {
        int incarnation = node.incarnation;
        queue.at(node.pausedUntil, () -> wake(node, incarnation));
      }
    }
  }

  /**
   * A fail-stop replica's loop steps a tick before anything that queued up while it was paused,
   * as the server's loop does after a gap (it must see its own stall before it acts on old
   * messages: {@code FalseSuspicion}'s probation). Scheduled when the pause starts, so it comes
   * before every delivery deferred to the pause's end; skipped if the pause was extended.
   */
  private void wake(Node node, int incarnation) {
    if (node.up && node.incarnation == incarnation && !paused(node)) {
      long now = node.clock.monotonic(queue.now());
      long wall = node.clock.wall(queue.now());
      trace.record(queue.now(), "wake " + node.id + " " + now + " wall " + wall);
      loop.submit(node, new Step.Tick(now, wall));
    }
  }

  /** Ends every pause now. */
  void resumeAll() {
    for (Node node : nodes) {
      boolean wasPaused = paused(node);
      node.pausedUntil = 0;
      if (node.up && wasPaused) {
        resume(node);
      }
    }
  }

  /**
   * A pause ended before its time: the replica's clock ticks at once (its tick chain was
   * waiting for the pause's planned end), and what queued up for its loop is stepped now, tick
   * first, as a process does on SIGCONT. Otherwise it would answer with a clock reading from
   * before the pause for as long as the pause was still planned to last.
   */
  private void resume(Node node) {
    int incarnation = node.incarnation;
    int chain = ++node.tickChain;
    boolean flushWaiting = node.flushScheduled;
    tick(node, incarnation, chain);
    if (flushWaiting) {
      queue.at(queue.now(), () -> {
        if (node.up && node.incarnation == incarnation && node.flushScheduled) {
          loop.flush(node);
        }
      });
    }
  }

  boolean paused(Node node) {
    return node.pausedUntil > queue.now();
  }

  private void tick(Node node, int incarnation, int chain) {
    if (!node.up || node.incarnation != incarnation || node.tickChain != chain) {
      return;
    }
    if (paused(node)) {
      queue.at(node.pausedUntil, () -> tick(node, incarnation, chain));
      return;
    }
    long now = node.clock.monotonic(queue.now());
    long wall = node.clock.wall(queue.now());
    trace.record(queue.now(), "tick " + node.id + " " + now + " wall " + wall);
    loop.submit(node, new Step.Tick(now, wall));
    queue.after(node.clock.tickPeriodNanos(), () -> tick(node, incarnation, chain));
  }

  /** A replica-to-replica message arrives (called by the network). */
  void deliver(int from, int to, ProtocolMessage message) {
    Node node = nodes[to];
    if (!node.up) {
      trace.record(queue.now(), "lost " + from + ">" + to + " down");
      trace.event(queue.now(), to, Event.message(Event.Kind.DROP, Event.NONE, Event.NONE,
          Network.type(message) + " from " + from + ": replica down"));
      return;
    }
    int incarnation = node.incarnation;
    if (paused(node)) {
      queue.at(node.pausedUntil, () -> {
        if (node.up && node.incarnation == incarnation) {
          deliver(from, to, message);
        }
      });
      return;
    }
    factory.arriving(to, from, message);
    loop.submit(node, new Step.Receive(from, message));
  }

  /** A client request arrives at replica {@code to}. */
  void clientRequest(int to, Request request) {
    clientRequest(to, request, null);
  }

  /** A client request arrives at replica {@code to}, signed by its client or not (null). */
  void clientRequest(int to, Request request, byte[] signature) {
    Node node = nodes[to];
    if (!node.up || paused(node)) {
      trace.record(queue.now(), "lost request " + request + " at " + to);
      return;
    }
    trace.record(queue.now(), "request " + request + " at " + to);
    loop.submit(node, new Step.Propose(request, signature));
  }

  /** A client's linearizable read arrives at replica {@code to}. */
  void clientRead(int to, long readId, ClientId caller, byte[] query) {
    Node node = nodes[to];
    if (!node.up || paused(node)) {
      trace.record(queue.now(), "lost read " + readId + " at " + to);
      return;
    }
    trace.record(queue.now(), "read " + readId + " by " + caller + " at " + to);
    if (node.interceptor != null) {
      node.interceptor.readArrived(readId, query);
    }
    loop.submit(node, new Step.Read(readId, caller, query));
  }

  /**
   * Whether the monitor holds {@code node} to the order: every replica, except a misbehaving
   * one of a protocol whose liars' own state may differ ({@link
   * CoordinationFactory#liarsKeepTheOrder}).
   */
  boolean checked(Node node) {
    return node.interceptor == null || factory.liarsKeepTheOrder();
  }

  /** Ids of replicas up and not paused. */
  List<Integer> running() {
    List<Integer> running = new ArrayList<>();
    for (Node node : nodes) {
      if (node.up && !paused(node)) {
        running.add(node.id);
      }
    }
    return running;
  }

  /**
   * Number of crashed replicas, counting those with an armed crash, those still rejoining (a
   * fail-stop protocol's integration, {@link CoordinationFactory#rejoins}), those of a Byzantine
   * protocol still repairing damaged storage (they vote nowhere until then, so the others order
   * without them: one of the t faulty replicas) and those failed for good until a membership
   * change removes them (then they no longer count against the budget).
   */
  int down() {
    int down = 0;
    boolean repairIsDown = factory.rejoins()
        || factory.failureModel() == io.lockstep.order.FailureModel.BYZANTINE;
    for (Node node : nodes) {
      boolean retired = node.gone && !node.stillMember;
      boolean rejoining = node.up && repairIsDown && node.protocol != null
          && node.protocol.repairing();
      down += retired || node.up && node.crashDuringSyncThenDownFor == 0 && !rejoining ? 0 : 1;
    }
    return down;
  }

  /**
   * {@link #down()}, and for a fail-stop protocol also the replicas paused now or within the
   * last second: a pause past the failure timeout makes a replica failed (it is declared
   * failed, halts when it learns so, and rejoins), so pauses count against t like crashes, and
   * a replica that just resumed counts until it has surely learned (a round trip, well below a
   * second here). Other protocols count pauses as nothing: they survive them.
   */
  int downOrStalled() {
    if (!factory.failStop()) {
      return down();
    }
    int stalled = 0;
    for (Node node : nodes) {
      boolean recent = node.lastPauseEnd != Long.MIN_VALUE
          && queue.now() < node.lastPauseEnd + 1_000_000_000L;
      boolean counted = !node.up || node.crashDuringSyncThenDownFor != 0
          || node.protocol != null && node.protocol.repairing();
      stalled += recent && node.up && !counted ? 1 : 0;
    }
    return down() + stalled;
  }

  /** Whether a pause now keeps a fail-stop protocol within t ({@link #downOrStalled}). */
  boolean pauseFits() {
    return !factory.failStop() || downOrStalled() < options.t();
  }

  /** Replica {@code id} fails for good (crashes now, never restarts). */
  void failForGood(int id) {
    crash(id);
    nodes[id].gone = true;
    nodes[id].stillMember = true;
    trace.record(queue.now(), "gone " + id);
  }

  /** A committed configuration no longer names {@code id}: it is retired (stopped, if up). */
  void retire(int id) {
    if (!nodes[id].gone) {
      crash(id);
      nodes[id].gone = true;
    }
    nodes[id].stillMember = false;
    trace.record(queue.now(), "retired " + id);
  }

  /** Asks replica {@code to} for a membership change (it refuses unless it leads). */
  void changeMembership(int to, Input.ChangeMembership change) {
    Node node = nodes[to];
    if (!node.up || paused(node)) {
      return;
    }
    trace.record(queue.now(), "member " + change.change() + " " + change.replica() + " at " + to);
    loop.submit(node, new Step.ChangeMembership(change));
  }

  /** The configuration replica {@code id} counts quorums in, or null if it is down. */
  Configuration configuration(int id) {
    Node node = nodes[id];
    return node.up ? node.replica.configuration() : null;
  }

  /** The replica that leads in the highest term any running replica knows, or -1. */
  int leader() {
    int leader = -1;
    long term = -1;
    for (Node node : nodes) {
      if (node.up) {
        Status status = node.replica.status();
        if (status.term() > term && status.leader() >= 0) {
          term = status.term();
          leader = status.leader();
        }
      }
    }
    return leader;
  }
}
