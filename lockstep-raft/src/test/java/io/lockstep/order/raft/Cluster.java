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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * A tiny deterministic in-memory harness wiring N {@link Raft} instances: a FIFO network that
 * tests can cut, filter, rewrite and reorder; per-node clocks; a per-node "disk" that applies
 * each Ready's writes before its messages are sent; crash and restart from that disk.
 *
 * <p>It also checks cluster-wide safety after every Ready: at most one leader per term (Election
 * Safety), every position committed identically everywhere (State Machine Safety, including the
 * no-op positions that emit no {@link Ordered}), agreed time never decreasing along the order, and
 * every ReadGrant at or after everything committed before the read was issued (linearizable
 * reads). Violations throw at once, or are collected when the cluster is lenient (bug tests).
 *
 * <p>A node configured with {@link RaftConfig#parallelLeaderAppend()} is run as the server
 * runtime runs it (§10.2.1): its AppendEntries and heartbeats go on the wire at once, while its
 * writes and every other message wait in {@code unsynced} until {@link #sync} makes them durable
 * (in order) and reports {@link Input.Persisted}; a crash loses whatever was not synced.
 */
final class Cluster {
  static final long EPOCH = 1_700_000_000_000L;
  static final ClientId CLIENT = ClientId.of("client");

  /** A message on the wire. */
  record Envelope(int from, int to, RaftMessage message) {}

  private record Committed(long time, Request request) {
    static final Committed NO_OP = new Committed(Long.MIN_VALUE, null);
  }

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
  private final ArrayDeque<Envelope> network = new ArrayDeque<>();
  private final Set<Long> cuts = new HashSet<>();
  private final Map<Long, Integer> leaders = new HashMap<>();
  private final Map<Long, Committed> committed = new HashMap<>();
  private final Map<Long, Long> readFloor = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long maxCommitted;
  private boolean lenient;
  private Predicate<Envelope> dropRule = e -> false;
  private UnaryOperator<Envelope> rewrite = e -> e;
  private long nextSequence = 1;
  private long nextReadId = 1;
  private long delivered;

  Cluster(int n, UnaryOperator<RaftConfig> configure, Function<Integer, Raft.Bug> bugs, long seed) {
    List<Integer> members = IntStream.rangeClosed(1, n).boxed().toList();
    this.configs = id -> configure.apply(RaftConfig.defaults(id, members));
    this.bugs = bugs;
    this.seed = seed;
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
    lenient = true;
    return this;
  }

  List<String> violations() {
    return violations;
  }

  // ---- stepping -----------------------------------------------------------------------------

  /** Steps one node and carries out its Ready as the runtime would. */
  void step(int id, Input input) {
    Node node = nodes.get(id);
    if (!node.up) {
      return;
    }
    node.raft.step(input);
    observeLeader(node);
    process(node);
    if (answerReadsAtOnce && !answering) {
      answerReads(id);
    }
  }

  private boolean answerReadsAtOnce = true;
  private boolean answering;

  /** Reads of stored entries wait for {@link #answerReads} instead of being answered at once. */
  Cluster holdReads() {
    answerReadsAtOnce = false;
    return this;
  }

  /**
   * Answers {@code id}'s reads of stored entries as a runtime does: from what its stable storage
   * holds, every write handed out before the read included (or with its {@code readFault}).
   */
  void answerReads(int id) {
    Node node = nodes.get(id);
    answering = true;
    try {
      while (node.up && !node.readsAsked.isEmpty()) {
        Ready.EntriesWanted read = node.readsAsked.poll();
        String failure = node.readFault.apply(read);
        step(id, failure != null ? Input.EntriesRead.failed(read.readId(), failure)
            : new Input.EntriesRead(read.readId(), node.readRewrite.apply(stored(node, read)),
                null));
      }
    } finally {
      answering = false;
    }
  }

  static List<LogEntry> stored(Node node, Ready.EntriesWanted read) {
    List<LogEntry> view = new ArrayList<>(node.disk);
    for (Unsynced u : node.unsynced) {
      for (StorageWrite w : u.writes()) {
        if (w instanceof StorageWrite.Append a) {
          long first = a.entries().get(0).index();
          view.removeIf(e -> e.index() >= first);
          view.addAll(a.entries());
        }
      }
    }
    List<LogEntry> found = new ArrayList<>();
    long bytes = 0;
    for (LogEntry entry : view) {
      if (entry.index() == read.from() + found.size() && entry.index() <= read.to()
          && bytes < read.maxBytes()) {
        found.add(entry);
        bytes += RaftLog.sizeOf(entry);
      }
    }
    return found;
  }

  /** Steps one node with several inputs, then carries out a single Ready (batching). */
  void stepAll(int id, List<Input> inputs) {
    Node node = nodes.get(id);
    if (!node.up) {
      return;
    }
    for (Input input : inputs) {
      node.raft.step(input);
      observeLeader(node);
    }
    process(node);
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

  private void process(Node node) {
    Ready ready = node.raft.ready();
    node.lastReady = ready;
    node.readsAsked.addAll(ready.entryReads());
    if (configs.apply(node.id).parallelLeaderAppend()) {
      if (!carryOutInParallel(node, ready)) {
        return;
      }
    } else if (node.tornAfter >= 0) {
      // Power loss before this Ready's fsync finished: a prefix of its writes survives and none
      // of its messages were sent.
      ready.writes().stream().limit(node.tornAfter).forEach(node::write);
      node.tornAfter = -1;
      crash(node.id);
      return;
    } else {
      ready.writes().forEach(node::write); // (1) durable before (2) messages
      for (Ready.Outbound out : ready.messages()) {
        network.add(new Envelope(node.id, out.to(), (RaftMessage) out.message()));
      }
    }
    if (ready.install() != null) {
      node.installs.add(ready.install());
      node.appliedPosition = ready.install().index();
      node.appliedTime = ready.install().time();
    }
    for (Ordered ordered : ready.stable()) {
      applyStable(node, ordered);
    }
    observeCommitted(node, node.raft.status().commitIndex());
    for (Ready.ReadGrant grant : ready.reads()) {
      checkRead(node, grant);
      node.grants.add(grant);
    }
    node.redirects.addAll(ready.redirects());
    observeLeader(node);
  }

  /**
   * Carries out a Ready with parallel leader appends; false if the node crashed in it. A torn
   * crash keeps a prefix of the stream of unsynced writes (earlier Readies' first), and the
   * AppendEntries sent before it stay on the wire.
   */
  private boolean carryOutInParallel(Node node, Ready ready) {
    List<Envelope> early = new ArrayList<>();
    List<Envelope> held = new ArrayList<>();
    for (Ready.Outbound out : ready.messages()) {
      Envelope e = new Envelope(node.id, out.to(), (RaftMessage) out.message());
      boolean append = e.message() instanceof RaftMessage.AppendEntries
          || e.message() instanceof RaftMessage.Heartbeat;
      (append ? early : held).add(e);
    }
    network.addAll(early);
    if (node.tornAfter >= 0) {
      List<StorageWrite> stream = new ArrayList<>();
      node.unsynced.forEach(u -> stream.addAll(u.writes()));
      stream.addAll(ready.writes());
      stream.stream().limit(node.tornAfter).forEach(node::write);
      node.tornAfter = -1;
      crash(node.id);
      network.addAll(early);
      return false;
    }
    if (ready.writes().isEmpty() && node.unsynced.isEmpty()) {
      network.addAll(held);
    } else if (!ready.writes().isEmpty() || !held.isEmpty()) {
      node.unsynced.add(new Unsynced(ready.writes(), held));
    }
    return true;
  }

  /**
   * Parallel leader appends: the writes {@code id} has pending become durable in order (one
   * group commit per Ready); each releases its held messages and reports
   * {@link Input.Persisted} for its last entry, as the runtime's durability callback does.
   */
  void sync(int id) {
    Node node = nodes.get(id);
    for (int n = node.unsynced.size(); n > 0 && node.up && !node.unsynced.isEmpty(); n--) {
      Unsynced u = node.unsynced.poll();
      u.writes().forEach(node::write);
      network.addAll(u.held());
      LogEntry last = null;
      for (StorageWrite w : u.writes()) {
        if (w instanceof StorageWrite.Append a) {
          last = a.entries().get(a.entries().size() - 1);
        }
      }
      if (last != null) {
        step(id, new Input.Persisted(last.index(), last.term()));
      }
    }
  }

  void syncAll() {
    for (int id : nodes.keySet()) {
      sync(id);
    }
  }

  private void applyStable(Node node, Ordered ordered) {
    if (ordered.position() <= node.appliedPosition) {
      violation("node " + node.id + " handed out position " + ordered.position()
          + " after " + node.appliedPosition);
    }
    if (ordered.time() < node.appliedTime) {
      violation("node " + node.id + " agreed time went back at " + ordered.position());
    }
    observeCommitted(node, ordered.position() - 1);
    record(node, ordered.position(), new Committed(ordered.time(), ordered.request()));
    node.appliedPosition = ordered.position();
    node.appliedTime = ordered.time();
    node.stable.add(ordered);
  }

  /** Positions up to {@code upTo} not handed out as stable were committed no-ops. */
  private void observeCommitted(Node node, long upTo) {
    for (long p = node.appliedPosition + 1; p <= upTo; p++) {
      record(node, p, Committed.NO_OP);
    }
    node.appliedPosition = Math.max(node.appliedPosition, upTo);
  }

  private void record(Node node, long position, Committed value) {
    Committed first = committed.putIfAbsent(position, value);
    if (first != null && !(Objects.equals(first.request(), value.request())
        && first.time() == value.time())) {
      violation("position " + position + " committed as " + describe(first) + " earlier but as "
          + describe(value) + " at node " + node.id);
    }
    maxCommitted = Math.max(maxCommitted, position);
  }

  private static String describe(Committed c) {
    return c.request() == null ? "a no-op" : c.request() + "@" + c.time();
  }

  private void observeLeader(Node node) {
    io.lockstep.order.Status status = node.raft.status();
    if (status.role() == Role.LEADER) {
      Integer first = leaders.putIfAbsent(status.term(), node.id);
      if (first != null && first != node.id) {
        violation("two leaders in term " + status.term() + ": " + first + " and " + node.id);
      }
    }
  }

  private void checkRead(Node node, Ready.ReadGrant grant) {
    Long floor = readFloor.get(grant.readId());
    if (floor == null) {
      violation("node " + node.id + " granted unknown read " + grant.readId());
    } else if (grant.position() < floor) {
      violation("read " + grant.readId() + " at node " + node.id + " granted at position "
          + grant.position() + " but " + floor + " was committed before it was issued");
    }
  }

  private void violation(String message) {
    violations.add(message);
    if (!lenient) {
      throw new AssertionError(message);
    }
  }

  // ---- network ------------------------------------------------------------------------------

  /** Delivers queued messages (and those they cause) until none is left; returns the count. */
  int deliverAll() {
    int count = 0;
    while (!network.isEmpty()) {
      deliver(network.poll());
      count++;
      if (count > 1_000_000) {
        throw new AssertionError("message storm");
      }
    }
    return count;
  }

  /** Delivers exactly the messages queued now, not those they cause. */
  void deliverQueued() {
    int n = network.size();
    for (int i = 0; i < n && !network.isEmpty(); i++) {
      deliver(network.poll());
    }
  }

  void deliver(Envelope envelope) {
    if (cuts.contains(link(envelope.from(), envelope.to())) || dropRule.test(envelope)) {
      return;
    }
    Envelope e = rewrite.apply(envelope);
    if (e == null) {
      return;
    }
    delivered++;
    step(e.to(), new Input.Receive(e.from(), e.message()));
  }

  /**
   * Delivers {@code envelopes} as a runtime loop that drains its queue does: each node is
   * stepped with all of its messages, in order, and then carries out a single Ready.
   */
  void deliverCoalesced(List<Envelope> envelopes) {
    Map<Integer, List<Input>> byNode = new TreeMap<>();
    for (Envelope envelope : envelopes) {
      if (cuts.contains(link(envelope.from(), envelope.to())) || dropRule.test(envelope)) {
        continue;
      }
      Envelope e = rewrite.apply(envelope);
      if (e != null) {
        delivered++;
        byNode.computeIfAbsent(e.to(), k -> new ArrayList<>())
            .add(new Input.Receive(e.from(), e.message()));
      }
    }
    byNode.forEach(this::stepAll);
  }

  /** The messages in flight, for tests that inspect, drop or reorder them. */
  ArrayDeque<Envelope> inFlight() {
    return network;
  }

  List<Envelope> takeInFlight() {
    List<Envelope> all = new ArrayList<>(network);
    network.clear();
    return all;
  }

  void dropWhen(Predicate<Envelope> rule) {
    dropRule = rule;
  }

  void rewriteWith(UnaryOperator<Envelope> rule) {
    rewrite = rule;
  }

  void cut(int from, int to) {
    cuts.add(link(from, to));
  }

  void cutBoth(int a, int b) {
    cut(a, b);
    cut(b, a);
  }

  /** Cuts every link to and from {@code id}. */
  void isolate(int id) {
    for (int other : nodes.keySet()) {
      if (other != id) {
        cutBoth(id, other);
      }
    }
  }

  /** Splits the cluster into the given side and the rest. */
  void partition(Set<Integer> side) {
    for (int a : nodes.keySet()) {
      for (int b : nodes.keySet()) {
        if (side.contains(a) != side.contains(b)) {
          cut(a, b);
        }
      }
    }
  }

  void heal() {
    cuts.clear();
    dropRule = e -> false;
    rewrite = e -> e;
  }

  long delivered() {
    return delivered;
  }

  private static long link(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
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
    readFloor.put(readId, maxCommitted);
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
    network.removeIf(e -> e.to() == id || e.from() == id);
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
