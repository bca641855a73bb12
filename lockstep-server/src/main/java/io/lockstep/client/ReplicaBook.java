package io.lockstep.client;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.order.FailureModel;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The replicas a {@link LockstepClient} sends to, and its connection to each (paper §7:
 * clients learn the configuration, so no file has to be copied by hand when it changes).
 *
 * <p>Each address gets a <em>slot</em>, a number that never changes while the client runs:
 * the addresses it was started with are slots 0, 1, 2… in their order, and each address it
 * learns later gets the next one. Calls, the leader guess and the connections are kept by
 * slot, so a configuration learned while requests are in flight never makes one of them point
 * at another replica. A slot leaves the rotation when the configuration no longer names its
 * replica; its connection is closed, so a request in flight there is retried elsewhere.
 *
 * <p>Which addresses are in the rotation ({@link #follow}): when the configuration records a
 * client address for every replica of its replica set, exactly those; otherwise (the set is
 * not known yet, or some replica came from a cluster file and has no record) the addresses the
 * client was started with plus the recorded ones of the set, without the recorded addresses of
 * replicas that left the set. A recorded replica that proves its key is dialed with the key
 * recorded for it; in a cluster with client keys, one recorded without a key is skipped (the
 * client could not check who answers). A Byzantine-mode client's rotation is chosen by replica
 * id instead ({@link #voting}). Thread-safe.
 */
final class ReplicaBook {
  private static final System.Logger LOG = System.getLogger(ReplicaBook.class.getName());

  /** One address the client knows: its replica's id and key when known (-1 and null if not). */
  private record Slot(InetSocketAddress address, String text, int replica, PublicKey key) {}

  /** How long after a failed dial a replica is dialed again, at first. */
  static final long FIRST_REDIAL_NANOS = 50_000_000L;
  /** The longest wait between two dials of a replica that keeps refusing. */
  static final long MAX_REDIAL_NANOS = 1_000_000_000L;

  private final ClientOptions options;
  private final FrameClient frames;
  private final IntFunction<FrameHandler> handlers;
  private final List<Slot> slots = new ArrayList<>();
  private final List<CompletableFuture<FrameConnection>> connections = new ArrayList<>();
  /** Per slot: when a failed dial may be repeated. */
  private final List<Redial> redial = new ArrayList<>();
  /** Slots in the rotation, in slot order; never empty. */
  private volatile List<Integer> active;

  /** @param handlers the handler of answers on the connection of each slot */
  ReplicaBook(ClientOptions options, FrameClient frames, IntFunction<FrameHandler> handlers) {
    this.options = options;
    this.frames = frames;
    this.handlers = handlers;
    ClientKeys keys = options.keys();
    List<Integer> start = new ArrayList<>();
    for (int i = 0; i < options.replicas().size(); i++) {
      InetSocketAddress a = options.replicas().get(i);
      slots.add(new Slot(a, text(a), keys == null ? -1 : keys.replicaIds().get(i),
          keys == null ? null : keys.replicaKeys().get(i)));
      connections.add(null);
      redial.add(new Redial());
      start.add(i);
    }
    this.active = List.copyOf(start);
  }

  /** {@code host:port} as replicas write addresses in redirects. */
  static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  /** The slots in the rotation, in slot order. */
  List<Integer> active() {
    return active;
  }

  /** True if {@code slot} is in the rotation. */
  boolean isActive(int slot) {
    return active.contains(slot);
  }

  /** The first slot in the rotation after {@code slot} (wrapping around). */
  int next(int slot) {
    List<Integer> a = active;
    for (int s : a) {
      if (s > slot) {
        return s;
      }
    }
    return a.get(0);
  }

  /** The address of {@code slot}, as text. */
  synchronized String address(int slot) {
    return slots.get(slot).text();
  }

  /** The replica id of {@code slot} (-1 when the client has no keys and so no ids). */
  synchronized int replica(int slot) {
    return slots.get(slot).replica();
  }

  /** The slot in the rotation with address {@code text}, or -1. */
  synchronized int slotOf(String text) {
    for (int s : active) {
      if (slots.get(s).text().equals(text)) {
        return s;
      }
    }
    return -1;
  }

  /**
   * The open (or opening) connection to {@code slot}, dialed if there is none. After a failed
   * dial the failed future is returned, without dialing again, until a back-off has passed
   * ({@link #FIRST_REDIAL_NANOS}, doubling per failure in a row up to {@link #MAX_REDIAL_NANOS}):
   * every request asks for every replica's connection, and a replica that was down was dialed
   * again for each one (thousands of failed connections a second under load).
   */
  synchronized CompletableFuture<FrameConnection> connection(int slot) {
    CompletableFuture<FrameConnection> c = connections.get(slot);
    boolean failed = c != null && c.isCompletedExceptionally();
    if (failed && System.nanoTime() - redial.get(slot).at < 0) {
      return c;
    }
    if (c == null || failed || (c.isDone() && !c.join().isOpen())) {
      Slot s = slots.get(slot);
      c = options.keys() == null ? frames.connect(s.address(), handlers.apply(slot))
          : frames.connect(s.address(), Integer.toString(s.replica()), s.key(),
              handlers.apply(slot));
      connections.set(slot, c);
      c.whenComplete((open, error) -> dialed(slot, error != null));
    }
    return c;
  }

  /** Counts a dial's outcome: a failure pushes the next dial back, a success resets that. */
  private synchronized void dialed(int slot, boolean failed) {
    Redial r = redial.get(slot);
    if (!failed) {
      r.failures = 0;
      return;
    }
    r.failures = Math.min(r.failures + 1, 30);
    r.at = System.nanoTime() + Math.min(MAX_REDIAL_NANOS, FIRST_REDIAL_NANOS << (r.failures - 1));
  }

  /** A slot's dial back-off; guarded by the book. */
  private static final class Redial {
    /** System.nanoTime() from which a failed dial may be repeated. */
    long at;
    /** Failed dials in a row. */
    int failures;
  }

  /**
   * Follows a learned configuration: adds the addresses of replicas it names, takes those of
   * replicas it dropped out of the rotation and closes their connections.
   *
   * @return true if the rotation changed
   */
  boolean follow(ClusterConfiguration configuration) {
    List<CompletableFuture<FrameConnection>> retired = new ArrayList<>();
    boolean changed;
    synchronized (this) {
      List<Integer> wanted = wanted(configuration);
      if (wanted.isEmpty() || wanted.equals(active)) {
        return false;
      }
      for (int s : active) {
        if (!wanted.contains(s) && connections.get(s) != null) {
          retired.add(connections.get(s));
          connections.set(s, null);
        }
      }
      changed = true;
      LOG.log(Level.INFO, "event=client_replicas_changed version=" + configuration.version()
          + " from=" + texts(active) + " to=" + texts(wanted));
      active = List.copyOf(wanted);
    }
    // Outside the lock: closing runs the connection's close handler, which retries its calls.
    retired.forEach(c -> c.thenAccept(FrameConnection::close));
    return changed;
  }

  /** The slots the rotation should hold under {@code configuration} (see the class comment). */
  private List<Integer> wanted(ClusterConfiguration configuration) {
    if (options.failureModel() == FailureModel.BYZANTINE) {
      return voting(configuration);
    }
    Set<Integer> set = configuration.replicas();
    boolean allRecorded = !set.isEmpty()
        && configuration.members().keySet().containsAll(set);
    Set<String> dropped = new HashSet<>();
    LinkedHashSet<Integer> wanted = new LinkedHashSet<>();
    if (!allRecorded) {
      for (int i = 0; i < options.replicas().size(); i++) {
        wanted.add(i);
      }
    }
    for (MemberAddresses m : configuration.members().values()) {
      if (!set.isEmpty() && !set.contains(m.replica())) {
        dropped.add(m.client());
      } else if (set.contains(m.replica())) {
        int slot = slotFor(m);
        if (slot >= 0) {
          wanted.add(slot);
        }
      }
    }
    wanted.removeIf(s -> dropped.contains(slots.get(s).text()) && !recordedInSet(s,
        configuration));
    return wanted.stream().sorted().toList();
  }

  /**
   * A voting client's rotation: one slot for each replica of the set in force (the started
   * replicas while the set never changed) and of every pending replica-set change, by its
   * recorded address and key, else by the one it was started with; replicas of neither are
   * left. Pending sets count because a Byzantine cluster switches to a new set at a checkpoint
   * before the executor's configuration names it in force: a client waiting for that would
   * miss the new replicas' votes just when replicas of the old set leave. A slot is chosen by
   * replica id, so a replica that left is no longer asked and its answers no longer count.
   */
  private List<Integer> voting(ClusterConfiguration configuration) {
    Set<Integer> ids = new TreeSet<>(configuration.replicas());
    if (ids.isEmpty()) {
      ids.addAll(options.keys().replicaIds());
    }
    for (PendingChange p : configuration.pending()) {
      if (p.command() instanceof SystemCommand.SetReplicas set) {
        ids.addAll(set.replicas());
      }
    }
    List<Integer> wanted = new ArrayList<>();
    for (int id : ids) {
      MemberAddresses m = configuration.members().get(id);
      int slot = m != null && m.hasKey() ? slotFor(m) : -1;
      if (slot < 0) {
        slot = options.keys().replicaIds().indexOf(id); // started slots are 0, 1, 2…
      }
      if (slot >= 0) {
        wanted.add(slot);
      } else {
        LOG.log(Level.WARNING, "event=client_replica_skipped replica=" + id
            + " reason=\"neither recorded with a key nor among the replicas this client was"
            + " started with\"");
      }
    }
    return wanted.stream().sorted().toList();
  }

  private boolean recordedInSet(int slot, ClusterConfiguration configuration) {
    for (int r : configuration.replicas()) {
      MemberAddresses m = configuration.members().get(r);
      if (m != null && m.client().equals(slots.get(slot).text())) {
        return true;
      }
    }
    return false;
  }

  /** The slot of a recorded replica's client address, added if new; -1 if it cannot be used. */
  private int slotFor(MemberAddresses m) {
    PublicKey key = null;
    if (options.keys() != null) {
      if (!m.hasKey()) {
        LOG.log(Level.WARNING, "event=client_replica_skipped replica=" + m.replica()
            + " reason=\"no public key recorded, and this client checks replicas' keys\"");
        return -1;
      }
      try {
        key = Ed25519Signer.publicKey(m.publicKey());
      } catch (IllegalArgumentException e) {
        LOG.log(Level.WARNING, "event=client_replica_skipped replica=" + m.replica()
            + " reason=\"recorded key: " + e.getMessage() + "\"");
        return -1;
      }
    }
    for (int s = 0; s < slots.size(); s++) {
      Slot slot = slots.get(s);
      if (slot.text().equals(m.client()) && (slot.replica() == m.replica()
          || slot.replica() < 0)) {
        return s;
      }
    }
    int colon = m.client().lastIndexOf(':');
    String host = m.client().substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetSocketAddress address = new InetSocketAddress(host,
        Integer.parseInt(m.client().substring(colon + 1)));
    slots.add(new Slot(address, m.client(), m.replica(), key));
    connections.add(null);
    redial.add(new Redial());
    return slots.size() - 1;
  }

  private String texts(List<Integer> list) {
    return list.stream().map(s -> slots.get(s).text()).toList().toString().replace(" ", "");
  }
}
