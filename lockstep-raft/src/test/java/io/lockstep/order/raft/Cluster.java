package io.lockstep.order.raft;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * A tiny deterministic in-memory harness wiring N {@link Raft} instances: a FIFO network that
 * tests can cut, filter, rewrite and reorder ({@link Network}); per-node clocks; a per-node
 * "disk" that applies each Ready's writes before its messages are sent ({@link NodeRuntime});
 * crash and restart from that disk.
 *
 * <p>It also checks cluster-wide safety after every Ready ({@link SafetyChecks}): Election
 * Safety, State Machine Safety (no-op positions included), agreed time never decreasing along
 * the order, and linearizable reads. Violations throw at once, or are collected when the
 * cluster is lenient (bug tests).
 *
 * <p>A node configured with {@link RaftConfig#parallelLeaderAppend()} is run as the server
 * runtime runs it (§10.2.1, {@link NodeRuntime}): its writes and every message but
 * AppendEntries and heartbeats wait until {@link #sync} makes them durable.
 *
 * <p>This class is the tests' one entry point: it owns the nodes, their clocks and their
 * lifecycle (start, crash, restart), and hands the network, the runtime's work and the checks
 * to those three parts.
 */
final class Cluster {
  static final long EPOCH = 1_700_000_000_000L;
  static final ClientId CLIENT = ClientId.of("client");

  /** A message on the wire. */
  record Envelope(int from, int to, RaftMessage message) {}

  /** One Ready's writes not yet durable, and the messages that wait for them. */
  record Unsynced(List<StorageWrite> writes, List<Envelope> held) {}

  /** One replica: its protocol object, its disk, and what it handed to the executor. */
  final class Node {
    final int id;
    Raft raft;
    boolean up = true;
    long clock;
    /** How far this node's wall clock is off its (monotonic) {@code clock}. */
    long wallOffset;
    int restarts;
    StorageWrite.HardState hardState;
    Snapshot snapshot;
    final List<LogEntry> disk = new ArrayList<>();
    long appliedPosition;
    long appliedTime = Long.MIN_VALUE;
    final List<Ordered> stable = new ArrayList<>();
    final List<Snapshot> installs = new ArrayList<>();
    final List<Ready.ReadGrant> grants = new ArrayList<>();
    final List<Ready.Redirect> redirects = new ArrayList<>();
    Ready lastReady;
    int tornAfter = -1;
    final ArrayDeque<Unsynced> unsynced = new ArrayDeque<>();
    /** Reads of stored entries the node asked for and has not been answered yet. */
    final ArrayDeque<Ready.EntriesWanted> readsAsked = new ArrayDeque<>();
    /** The failure to answer a read with, or null to answer it from the stored log. */
    Function<Ready.EntriesWanted, String> readFault = r -> null;
    /** Rewrites the entries a read returns (damage that got past the storage's checks). */
    UnaryOperator<List<LogEntry>> readRewrite = UnaryOperator.identity();

    Node(int id, long clock) {
      this.id = id;
      this.clock = clock;
    }

    Recovered recovered() {
      return new Recovered(hardState, snapshot, disk);
    }

    /** A tick at the node's clock, its wall clock off by {@code wallOffset}. */
    Input.Tick tick() {
      return new Input.Tick(clock, clock + wallOffset);
    }

    io.lockstep.order.Status status() {
      return raft.status();
    }

    void write(StorageWrite write) {
      if (write instanceof StorageWrite.HardState h) {
        hardState = h;
      } else if (write instanceof StorageWrite.Append a) {
        long first = a.entries().get(0).index();
        long base = snapshot == null ? 0 : snapshot.index();
        disk.removeIf(e -> e.index() >= first);
        long last = disk.isEmpty() ? base : disk.get(disk.size() - 1).index();
        if (first > last + 1) {
          throw new AssertionError("node " + id + " appends " + first + " after " + last);
        }
        disk.addAll(a.entries());
      } else if (write instanceof StorageWrite.SaveSnapshot s) {
        // As stable storage does (Raft §7): the entries after the snapshot stay only if the
        // stored entry at its index has its term; otherwise nothing stored follows it.
        Snapshot next = s.snapshot();
        boolean follows = disk.stream().anyMatch(e -> e.index() == next.index()
            && e.term() == next.term()) || (snapshot != null && snapshot.index() == next.index());
        snapshot = next;
        disk.removeIf(e -> !follows || e.index() <= next.index());
      }
    }
  }

  private final Map<Integer, Node> nodes = new LinkedHashMap<>();
  private final Function<Integer, RaftConfig> configs;
  private final Function<Integer, Raft.Bug> bugs;
  private final long seed;
  private final Network network = new Network(this);
  private final SafetyChecks safety = new SafetyChecks();
  private final NodeRuntime runtime;
  private long nextSequence = 1;
  private long nextReadId = 1;

  Cluster(int n, UnaryOperator<RaftConfig> configure, Function<Integer, Raft.Bug> bugs, long seed) {
    List<Integer> members = IntStream.rangeClosed(1, n).boxed().toList();
    this.configs = id -> configure.apply(RaftConfig.defaults(id, members));
    this.bugs = bugs;
    this.seed = seed;
    this.runtime = new NodeRuntime(this, configs, network, safety);
    for (int id : members) {
      Node node = new Node(id, EPOCH);
      nodes.put(id, node);
      node.raft = new Raft(configs.apply(id), Recovered.EMPTY, seed * 31 + id, bugs.apply(id));
      step(id, node.tick());
    }
  }

  /**
   * Starts replica {@code id} outside the initial configuration: a spare that a membership
   * change may add. Its clock starts at node 1's.
   */
  void addSpare(int id) {
    addSpare(id, Recovered.EMPTY);
  }

  /**
   * As {@link #addSpare(int)}, but the spare's first start was already checked against its
   * peers' memory ({@link WipeCheck}), as if it had run before: for scenarios whose timing the
   * probe round of a first start would shift.
   */
  void addCheckedSpare(int id) {
    addSpare(id, new Recovered(Nodes.checkedFirstStart(id).toHardState(), null, List.of()));
  }

  private void addSpare(int id, Recovered recovered) {
    Node node = new Node(id, nodes.values().iterator().next().clock);
    nodes.put(id, node);
    node.raft = new Raft(configs.apply(id), recovered, seed * 31 + id, bugs.apply(id));
    step(id, node.tick());
  }

  Cluster(int n, long seed) {
    this(n, c -> c, id -> Raft.Bug.NONE, seed);
  }

  Cluster(int n, UnaryOperator<RaftConfig> configure, long seed) {
    this(n, configure, id -> Raft.Bug.NONE, seed);
  }

  Node node(int id) {
    return nodes.get(id);
  }

  Raft raft(int id) {
    return nodes.get(id).raft;
  }

  List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  /** Collect safety violations instead of throwing (for the deliberately broken variants). */
  Cluster lenient() {
    safety.lenient();
    return this;
  }

  List<String> violations() {
    return safety.violations();
  }

  // ---- stepping (carried out by NodeRuntime) -------------------------------------------------

  /** Steps one node and carries out its Ready as the runtime would. */
  void step(int id, Input input) {
    runtime.step(id, input);
  }

  /** Reads of stored entries wait for {@link #answerReads} instead of being answered at once. */
  Cluster holdReads() {
    runtime.holdReads();
    return this;
  }

  /** Answers {@code id}'s reads of stored entries as a runtime does (see {@link NodeRuntime}). */
  void answerReads(int id) {
    runtime.answerReads(id);
  }

  /** The entries {@code node}'s stable storage holds for {@code read}, as a runtime reads them. */
  static List<LogEntry> stored(Node node, Ready.EntriesWanted read) {
    return NodeRuntime.stored(node, read);
  }

  /** Steps one node with several inputs, then carries out a single Ready (batching). */
  void stepAll(int id, List<Input> inputs) {
    runtime.stepAll(id, inputs);
  }

  /** Makes {@code id} the leader (by leadership transfer) and lets the cluster settle. */
  void makeLeader(int id) {
    int leader = awaitLeader();
    if (leader != id) {
      step(leader, new Input.TransferLeadership(id));
      run(600);
    }
    if (leader() != id) {
      throw new AssertionError("could not make " + id + " leader: " + nodes.get(id).raft);
    }
    run(100);
  }

  /** Ticks only {@code id} until it leads (others' timers stand still). */
  void campaignUntilLeader(int id) {
    for (int i = 0; i < 100 && nodes.get(id).raft.status().role() != Role.LEADER; i++) {
      advanceNode(id, 100);
    }
    if (nodes.get(id).raft.status().role() != Role.LEADER) {
      throw new AssertionError(id + " did not win: " + nodes.get(id).raft);
    }
  }

  /** Parallel leader appends: the writes {@code id} has pending become durable, in order. */
  void sync(int id) {
    runtime.sync(id);
  }

  void syncAll() {
    runtime.syncAll();
  }

  // ---- network (see Network) ----------------------------------------------------------------

  /** Delivers queued messages (and those they cause) until none is left; returns the count. */
  int deliverAll() {
    return network.deliverAll();
  }

  /** Delivers exactly the messages queued now, not those they cause. */
  void deliverQueued() {
    network.deliverQueued();
  }

  void deliver(Envelope envelope) {
    network.deliver(envelope);
  }

  /** Delivers {@code envelopes} as a runtime loop that drains its queue does. */
  void deliverCoalesced(List<Envelope> envelopes) {
    network.deliverCoalesced(envelopes);
  }

  /** The messages in flight, for tests that inspect, drop or reorder them. */
  ArrayDeque<Envelope> inFlight() {
    return network.inFlight();
  }

  List<Envelope> takeInFlight() {
    return network.takeInFlight();
  }

  void dropWhen(Predicate<Envelope> rule) {
    network.dropWhen(rule);
  }

  void rewriteWith(UnaryOperator<Envelope> rule) {
    network.rewriteWith(rule);
  }

  void cut(int from, int to) {
    network.cut(from, to);
  }

  void cutBoth(int a, int b) {
    network.cutBoth(a, b);
  }

  /** Cuts every link to and from {@code id}. */
  void isolate(int id) {
    network.isolate(id);
  }

  /** Splits the cluster into the given side and the rest. */
  void partition(Set<Integer> side) {
    network.partition(side);
  }

  void heal() {
    network.heal();
  }

  long delivered() {
    return network.delivered();
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Advances every node's clock by {@code ms}, ticks it, and delivers until quiet. */
  void advance(long ms) {
    syncAll();
    tickAll(ms);
    deliverAll();
  }

  /** Advances every node's clock by {@code ms} and ticks it, delivering nothing. */
  void tickAll(long ms) {
    for (Node node : nodes.values()) {
      node.clock += ms;
      step(node.id, node.tick());
    }
  }

  /** Runs {@code ms} of time in 10 ms ticks. */
  void run(long ms) {
    for (long t = 0; t < ms; t += 10) {
      advance(10);
    }
  }

  /** Advances one node's clock only (and delivers). */
  void advanceNode(int id, long ms) {
    Node node = nodes.get(id);
    syncAll();
    node.clock += ms;
    step(id, node.tick());
    deliverAll();
  }

  /** Runs until some live node leads and no live node is campaigning; returns the leader. */
  int awaitLeader() {
    for (int i = 0; i < 2000; i++) {
      int leader = leader();
      if (leader != -1) {
        return leader;
      }
      advance(10);
    }
    throw new AssertionError("no leader after 20 s: " + nodes.values().stream()
        .filter(n -> n.up).map(n -> n.raft.toString()).toList());
  }

  /** The live leader of the highest term, or -1. */
  int leader() {
    int best = -1;
    long bestTerm = -1;
    for (Node node : nodes.values()) {
      if (node.up && node.raft.status().role() == Role.LEADER && node.raft.status().term() > bestTerm) {
        best = node.id;
        bestTerm = node.raft.status().term();
      }
    }
    return best;
  }

  // ---- clients ------------------------------------------------------------------------------

  Request request(String command) {
    return Request.command(CLIENT, nextSequence++, command.getBytes());
  }

  Request propose(int id, String command) {
    Request request = request(command);
    step(id, new Input.Propose(request));
    return request;
  }

  long read(int id) {
    Input.Read read = readInput();
    step(id, read);
    return read.readId();
  }

  /** A new read, issued now: its grant must cover everything committed so far. */
  Input.Read readInput() {
    long readId = nextReadId++;
    safety.readIssued(readId);
    return new Input.Read(readId);
  }

  /** The executor at {@code id} took a snapshot at its applied position. */
  void takeSnapshot(int id) {
    takeSnapshot(id, nodes.get(id).appliedPosition);
  }

  /** The executor at {@code id} took a snapshot at {@code position}, at most its applied one. */
  void takeSnapshot(int id, long position) {
    step(id, new Input.SnapshotTaken(position, ByteBuffer.allocate(8).putLong(position).array()));
  }

  // ---- faults -------------------------------------------------------------------------------

  void crash(int id) {
    Node node = nodes.get(id);
    node.up = false;
    node.raft = null;
    node.unsynced.clear(); // power loss: nothing that was not synced survives
    node.readsAsked.clear(); // the runtime's reads die with it
    network.dropTouching(id);
  }

  /** The node crashes while carrying out its next Ready, keeping only {@code keep} writes. */
  void crashDuringNextReady(int id, int keep) {
    nodes.get(id).tornAfter = keep;
  }

  /** Restarts from the disk, as a new process (its executor restored from the snapshot). */
  void restart(int id) {
    Node node = nodes.get(id);
    node.restarts++;
    node.up = true;
    node.raft = new Raft(configs.apply(id), node.recovered(), seed * 31 + id + 1000L * node.restarts,
        bugs.apply(id));
    node.appliedPosition = node.snapshot == null ? 0 : node.snapshot.index();
    node.appliedTime = node.snapshot == null ? Long.MIN_VALUE : node.snapshot.time();
    step(id, node.tick());
  }

  /**
   * Crashes {@code id} and restarts it from a damaged disk that kept only its first {@code keep}
   * entries, reporting {@code damage} (protocol-aware recovery).
   */
  void restartDamaged(int id, int keep, Recovered.Damage damage) {
    crash(id);
    Node node = nodes.get(id);
    node.disk.subList(keep, node.disk.size()).clear();
    node.restarts++;
    node.up = true;
    node.raft = new Raft(configs.apply(id), new Recovered(node.hardState, node.snapshot,
        node.disk, damage), seed * 31 + id + 1000L * node.restarts, bugs.apply(id));
    node.appliedPosition = node.snapshot == null ? 0 : node.snapshot.index();
    node.appliedTime = node.snapshot == null ? Long.MIN_VALUE : node.snapshot.time();
    step(id, node.tick());
  }

  /**
   * Crashes {@code id}, deletes its whole data directory, and starts it again empty, with no
   * {@code rejoin-empty} file: the replica cannot tell this from a first start by itself.
   */
  void wipe(int id) {
    crash(id);
    Node node = nodes.get(id);
    node.disk.clear();
    node.hardState = null;
    node.snapshot = null;
    restart(id);
  }

  /** Every entry each node's log holds, as its disk shows. */
  List<LogEntry> diskLog(int id) {
    return List.copyOf(nodes.get(id).disk);
  }
}
