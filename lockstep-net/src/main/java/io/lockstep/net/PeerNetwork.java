package io.lockstep.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticated, framed TCP between the replicas of one cluster (the runtime's network, on Netty
 * I/O threads that only decode and enqueue). A node listens on one port and keeps one outbound
 * connection to every other replica, redialing with exponential backoff (50 ms doubling to 2 s by
 * default, with jitter) whenever it fails or closes.
 *
 * <p>{@link #send} never blocks: it enqueues on the peer's bounded queue and returns false when
 * the queue is full (the message is dropped and counted — Raft retransmits what matters). Queued
 * messages are written and flushed once per event-loop turn, so many small protocol messages share
 * one syscall. Each node sends only on its own outbound connection to a peer, so one sender's
 * messages arrive in the order sent. Inbound payloads go to the {@link PeerHandler} on an I/O
 * thread.
 *
 * <p>Every connection runs a handshake — each replica proving its own Ed25519 key when the
 * configuration has keys, else the shared secret — and MACs every frame (threat model: see the
 * package documentation); garbage, wrong versions, oversized or corrupt frames,
 * strangers and replays are refused with a logged, counted reason ({@link #stats()}) and never
 * reach the handler. Threads: one acceptor thread and {@link NetOptions#ioThreads()} I/O threads.
 *
 * <p>Peers may be added while it runs ({@link #addPeer}): a replica that an operator added with
 * its addresses, which no cluster file names, is dialed and admitted from then on.
 */
public final class PeerNetwork implements AutoCloseable {
  private final PeerConfig config;
  private final PeerHandler handler;
  private final NetStats stats = new NetStats();
  private final Rejections rejections;
  private final Map<Integer, PeerLink> links = new ConcurrentHashMap<>();
  /** Peers' public keys (with keys): the configuration's, then those {@link #addPeer} gave. */
  private final Map<Integer, PublicKey> keys = new ConcurrentHashMap<>();
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Channel> inboundByPeer = new ConcurrentHashMap<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private volatile Channel listener;
  private volatile boolean closed;

  private PeerNetwork(PeerConfig config, PeerHandler handler) {
    this.config = config;
    this.handler = handler;
    this.rejections = new Rejections("replica " + config.self(), stats);
    String name = "lockstep-net-" + config.self();
    this.boss = EventLoops.create(name + "-accept", 1);
    this.workers = EventLoops.create(name + "-io", config.options().ioThreads());
    config.peers().forEach((peer, address) -> links.put(peer,
        new PeerLink(peer, address, config.options(), workers, rejections)));
    keys.putAll(config.publicKeys());
  }

  /**
   * Listens on {@code config.listen()} and starts dialing every peer.
   *
   * @throws IOException when the address cannot be bound (in use, not local, …)
   */
  public static PeerNetwork start(PeerConfig config, PeerHandler handler) throws IOException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(handler, "handler");
    PeerNetwork network = new PeerNetwork(config, handler);
    try {
      network.listener = Sockets.listen(network.boss, network.workers, config.listen(),
          config.options(), network.rejections, network.accepted, network::acceptInbound);
    } catch (IOException e) {
      network.close();
      throw e;
    }
    network.links.values().forEach(network::dial);
    return network;
  }

  private void dial(PeerLink link) {
    link.start(Sockets.dialer(workers, config.options(), ch -> dialed(ch, link)));
  }

  /**
   * Adds a peer, or moves one to a new address, while running: from now on it is dialed at
   * {@code address} and admitted when it connects. A peer already known at the same address
   * (and key) is left as it is. Callable from any thread.
   *
   * @param key the peer's public key; required when replicas prove keys, else ignored
   * @return true if something changed
   * @throws IllegalArgumentException for this node's own id, or a missing key when keys are used
   */
  public synchronized boolean addPeer(int peer, InetSocketAddress address, PublicKey key) {
    Objects.requireNonNull(address, "address");
    if (peer == config.self()) {
      throw new IllegalArgumentException("replica " + peer + " is this node");
    }
    if (config.usesKeys() && key == null) {
      throw new IllegalArgumentException("replica " + peer + " has no public key: with keys,"
          + " every replica needs one");
    }
    PeerLink old = links.get(peer);
    boolean sameKey = !config.usesKeys() || key.equals(keys.get(peer));
    if (closed || old != null && old.address().equals(address) && sameKey) {
      return false;
    }
    if (config.usesKeys()) {
      keys.put(peer, key);
    }
    PeerLink link = new PeerLink(peer, address, config.options(), workers, rejections);
    links.put(peer, link);
    if (old != null) {
      old.close();
    }
    dial(link);
    return true;
  }

  /**
   * Enqueues {@code payload} for {@code peer}; never blocks. Returns false, and counts
   * {@link RejectReason#QUEUE_FULL}, when the peer's queue is full (the peer is down or slow) or
   * this network is closed. Callable from any thread; the array must not be modified afterwards.
   *
   * @throws IllegalArgumentException for an unknown peer or a payload above
   *     {@link NetOptions#maxMessageBytes()}
   */
  public boolean send(int peer, byte[] payload) {
    return send(peer, payload, false);
  }

  /**
   * As {@link #send(int, byte[])}; a {@code resendable} payload (one the caller sends again if
   * it is lost, as a Raft leader does AppendEntries) may later be dropped, oldest first, to make
   * room in the peer's queue when it is over its byte bound ({@link NetOptions#maxQueuedBytes()}),
   * counted as {@link RejectReason#QUEUE_EVICTED}.
   */
  public boolean send(int peer, byte[] payload, boolean resendable) {
    Objects.requireNonNull(payload, "payload");
    PeerLink link = links.get(peer);
    if (link == null) {
      throw new IllegalArgumentException("unknown peer " + peer + "; peers are " + links.keySet());
    }
    int limit = config.options().maxMessageBytes();
    if (payload.length > limit) {
      throw new IllegalArgumentException(
          "payload is " + payload.length + " bytes, the limit is " + limit);
    }
    return !closed && link.queue().offer(payload, resendable);
  }

  /** The port this node listens on (useful after binding port 0). */
  public int port() {
    return Sockets.port(listener);
  }

  /** This node's id. */
  public int self() {
    return config.self();
  }

  /** Whether the outbound connection to {@code peer} is currently open and authenticated. */
  public boolean isConnected(int peer) {
    PeerLink link = links.get(peer);
    return link != null && link.isConnected();
  }

  /** Messages waiting in {@code peer}'s queue. */
  public int queued(int peer) {
    PeerLink link = links.get(peer);
    return link == null ? 0 : link.queue().size();
  }

  /** Counters: frames, handshakes, rejections by reason. */
  public NetStats stats() {
    return stats;
  }

  /** Stops listening, closes every connection, drops queued messages, stops the threads. */
  @Override
  public void close() {
    closed = true;
    links.values().forEach(PeerLink::close);
    Channel bound = listener;
    if (bound != null) {
      bound.close().awaitUninterruptibly();
    }
    accepted.forEach(Channel::close);
    EventLoops.shutdown(boss, workers);
  }

  private void dialed(Channel channel, PeerLink link) {
    String expected = Integer.toString(link.peer());
    Admission admission = remote -> remote.id().equals(expected)
        ? credentials(link.peer())
        : new Admission.Refuse(RejectReason.UNKNOWN_ID,
            "dialed peer " + expected + " but it says it is " + remote.id());
    SecureSession.install(channel, Side.DIALER, Role.PEER, authMode(), config.privateKey(),
        config.cluster(), Integer.toString(config.self()), admission,
        new SecureSession.Listener() {
          @Override
          public void onOpen(SecureSession session) {
            link.onOpen(channel);
          }

          @Override
          public void onData(SecureSession session, byte[] payload) {
            handler.onMessage(link.peer(), payload);
          }

          @Override
          public void onWritable(SecureSession session) {
            link.queue().onWritable();
          }

          @Override
          public void onClose(SecureSession session, String reason) {
            link.onClose(channel);
          }
        }, rejections, config.options());
  }

  private void acceptInbound(Channel channel) {
    SecureSession.install(channel, Side.ACCEPTOR, Role.PEER, authMode(), config.privateKey(),
        config.cluster(), Integer.toString(config.self()), this::admitPeer,
        new SecureSession.Listener() {
          private int from;

          @Override
          public void onOpen(SecureSession session) {
            from = Integer.parseInt(session.remoteId());
            Channel previous = inboundByPeer.put(from, channel);
            if (previous != null && previous != channel) {
              previous.close();
            }
          }

          @Override
          public void onData(SecureSession session, byte[] payload) {
            handler.onMessage(from, payload);
          }

          @Override
          public void onClose(SecureSession session, String reason) {
            inboundByPeer.remove(from, channel);
          }
        }, rejections, config.options());
  }

  /** An inbound peer must be a configured replica other than this one. */
  private Admission.Verdict admitPeer(Hello remote) {
    Integer peer = parseId(remote.id());
    if (peer == null || !links.containsKey(peer)) {
      return new Admission.Refuse(RejectReason.UNKNOWN_ID, "'" + remote.id()
          + "' is not a peer of replica " + config.self() + " (peers: " + links.keySet() + ")");
    }
    return credentials(peer);
  }

  /** One mode on the peer port: keys when configured (then the secret is never accepted). */
  private int authMode() {
    return config.usesKeys() ? Hello.AUTH_KEYS : Hello.AUTH_SECRET;
  }

  private Admission.Admit credentials(int peer) {
    return config.usesKeys() ? new Admission.Admit(null, keys.get(peer))
        : new Admission.Admit(config.secret());
  }

  private static Integer parseId(String id) {
    try {
      return Integer.valueOf(id);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
