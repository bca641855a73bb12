package io.lockstep.order.raft;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.raft.Cluster.Envelope;
import io.lockstep.order.raft.Cluster.Node;
import io.lockstep.order.raft.Cluster.Unsynced;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the server runtime does with a node's Ready, in memory, for a {@link Cluster}: each Ready's
 * writes go to the node's disk before its messages go on the {@link Network}; a crash planned
 * for the Ready keeps only a prefix of its writes and sends nothing; reads of stored entries
 * are answered from what the disk holds. A node configured with
 * {@link RaftConfig#parallelLeaderAppend()} is run as the server runtime runs it (§10.2.1): its
 * AppendEntries and heartbeats go on the wire at once, while its writes and every other message
 * wait in {@code unsynced} until {@link #sync} makes them durable (in order) and reports
 * {@link Input.Persisted}; a crash loses whatever was not synced.
 *
 * <p>Separate from the rest of the harness because this is the runtime's side of the contract
 * the protocol core relies on (durable before sent); every Ready carried out is also shown to
 * the cluster's {@link SafetyChecks}.
 */
final class NodeRuntime {
  private final Cluster cluster;
  private final Function<Integer, RaftConfig> configs;
  private final Network network;
  private final SafetyChecks safety;
  private boolean answerReadsAtOnce = true;
  private boolean answering;

  NodeRuntime(Cluster cluster, Function<Integer, RaftConfig> configs, Network network,
      SafetyChecks safety) {
    this.cluster = cluster;
    this.configs = configs;
    this.network = network;
    this.safety = safety;
  }

  /** Steps one node and carries out its Ready as the runtime would. */
  void step(int id, Input input) {
    Node node = cluster.node(id);
    if (!node.up) {
      return;
    }
    node.raft.step(input);
    safety.observeLeader(node);
    process(node);
    if (answerReadsAtOnce && !answering) {
      answerReads(id);
    }
  }

  /** Reads of stored entries wait for {@link #answerReads} instead of being answered at once. */
  void holdReads() {
    answerReadsAtOnce = false;
  }

  /**
   * Answers {@code id}'s reads of stored entries as a runtime does: from what its stable storage
   * holds, every write handed out before the read included (or with its {@code readFault}).
   */
  void answerReads(int id) {
    Node node = cluster.node(id);
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
    Node node = cluster.node(id);
    if (!node.up) {
      return;
    }
    for (Input input : inputs) {
      node.raft.step(input);
      safety.observeLeader(node);
    }
    process(node);
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
      cluster.crash(node.id);
      return;
    } else {
      ready.writes().forEach(node::write); // (1) durable before (2) messages
      for (Ready.Outbound out : ready.messages()) {
        network.send(new Envelope(node.id, out.to(), (RaftMessage) out.message()));
      }
    }
    if (ready.install() != null) {
      node.installs.add(ready.install());
      node.appliedPosition = ready.install().index();
      node.appliedTime = ready.install().time();
    }
    for (Ordered ordered : ready.stable()) {
      safety.applyStable(node, ordered);
    }
    safety.observeCommitted(node, node.raft.status().commitIndex());
    for (Ready.ReadGrant grant : ready.reads()) {
      safety.checkRead(node, grant);
      node.grants.add(grant);
    }
    node.redirects.addAll(ready.redirects());
    safety.observeLeader(node);
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
    network.sendAll(early);
    if (node.tornAfter >= 0) {
      List<StorageWrite> stream = new ArrayList<>();
      node.unsynced.forEach(u -> stream.addAll(u.writes()));
      stream.addAll(ready.writes());
      stream.stream().limit(node.tornAfter).forEach(node::write);
      node.tornAfter = -1;
      cluster.crash(node.id);
      network.sendAll(early);
      return false;
    }
    if (ready.writes().isEmpty() && node.unsynced.isEmpty()) {
      network.sendAll(held);
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
    Node node = cluster.node(id);
    for (int n = node.unsynced.size(); n > 0 && node.up && !node.unsynced.isEmpty(); n--) {
      Unsynced u = node.unsynced.poll();
      u.writes().forEach(node::write);
      network.sendAll(u.held());
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
    for (Node node : cluster.nodes()) {
      sync(node.id);
    }
  }
}
