package io.lockstep.server;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.net.PeerNetwork;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientMessage;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where this replica finds the others: the cluster file's addresses, overlaid by the addresses
 * recorded in the replicated configuration ({@link MemberAddresses}, ordered by an operator's
 * {@code lockstep member add ID --peer … --client …}). The file is the bootstrap; once the
 * cluster recorded a replica's addresses, the record wins, so a machine that no file names
 * can be added without editing or copying any file. The file is never rewritten.
 *
 * <p>{@link #follow} runs on the loop thread after each batch and hands every new or changed
 * record to the peer network, which dials it and admits it from then on; the lookups are read
 * from any thread.
 */
final class AddressBook {
  private static final System.Logger LOG = System.getLogger(AddressBook.class.getName());

  private final ClusterConfig config;
  private final int self;
  private final Supplier<PeerNetwork> network;
  private final Consumer<Map<Integer, PublicKey>> keys;
  private volatile Map<Integer, MemberAddresses> recorded = Map.of();
  /** The configuration version last followed (loop thread only). */
  private long followed = -1;

  /**
   * @param network the peer network, or null before it started
   * @param keys told every recorded key (replica to key) whenever the records change, before
   *     any new record is dialed, so a replica's signatures verify once it is admitted
   */
  AddressBook(ClusterConfig config, int self, Supplier<PeerNetwork> network,
      Consumer<Map<Integer, PublicKey>> keys) {
    this.config = config;
    this.self = self;
    this.network = network;
    this.keys = keys;
  }

  /** The executor's configuration after a batch: learns records that are new or changed. */
  void follow(ClusterConfiguration configuration) {
    if (configuration.version() == followed) {
      return;
    }
    followed = configuration.version();
    Map<Integer, MemberAddresses> before = recorded;
    if (configuration.members().equals(before)) {
      return;
    }
    recorded = Map.copyOf(configuration.members());
    keys.accept(recordedKeys());
    configuration.members().forEach((replica, m) -> {
      if (replica != self && !m.equals(before.get(replica))) {
        LOG.log(Level.INFO, "event=member_addresses_learned replica=" + self + " member="
            + replica + " peer=" + m.peer() + " client=" + m.client()
            + " version=" + configuration.version());
        dial(m);
      }
    });
  }

  /**
   * The peer network dials {@code member} and admits it from now on. A record this replica
   * cannot use (a key that does not parse, none where replicas prove keys) is logged and left:
   * the operator records it again, correctly.
   */
  private void dial(MemberAddresses member) {
    PeerNetwork peers = network.get();
    if (peers == null) {
      return;
    }
    try {
      PublicKey key = member.hasKey() ? Ed25519Signer.publicKey(member.publicKey()) : null;
      peers.addPeer(member.replica(), socket(member.peer()), key);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "event=member_addresses_unusable replica=" + self + " member="
          + member.replica() + " reason=\"" + e.getMessage() + "\"");
    }
  }

  /** The keys of the records that carry one and parse (an unusable one is logged at dial). */
  private Map<Integer, PublicKey> recordedKeys() {
    Map<Integer, PublicKey> out = new TreeMap<>();
    recorded.forEach((replica, m) -> {
      if (m.hasKey()) {
        try {
          out.put(replica, Ed25519Signer.publicKey(m.publicKey()));
        } catch (IllegalArgumentException e) {
          // dial() logs it as member_addresses_unusable
        }
      }
    });
    return out;
  }

  /**
   * The key {@code replica} proves, for a machine joining from a small file that asks on the
   * client port: the recorded one (the operator's {@code member add --key}) if any, else the
   * file's; null when neither has one. Safe from any thread.
   */
  PublicKey machineKey(int replica) {
    MemberAddresses m = recorded.get(replica);
    if (m != null && m.hasKey()) {
      try {
        return Ed25519Signer.publicKey(m.publicKey());
      } catch (IllegalArgumentException e) {
        return null; // dial() logs it as member_addresses_unusable
      }
    }
    return m != null ? null : config.keys().replicaKeys().get(replica);
  }

  /** Every replica a membership change may name: the file's and those with a record. */
  List<Integer> listed() {
    TreeSet<Integer> all = new TreeSet<>(config.members());
    all.addAll(recorded.keySet());
    return List.copyOf(all);
  }

  /**
   * Every replica this one knows of, for a machine joining from a small file: the file's
   * replicas (the record wins where there is one, as everywhere here) and the recorded ones.
   * A replica is an initial voter exactly when the file lists it as a voter: the records never
   * change the initial configuration. Safe from any thread.
   */
  List<ClientMessage.BookEntry> entries() {
    Map<Integer, MemberAddresses> records = recorded;
    Map<Integer, ClientMessage.BookEntry> out = new TreeMap<>();
    for (ReplicaAddresses r : config.replicas()) {
      MemberAddresses m = records.get(r.id());
      out.put(r.id(), new ClientMessage.BookEntry(m != null ? m : fromFile(r), !r.spare()));
    }
    records.forEach((replica, m) -> out.putIfAbsent(replica, new ClientMessage.BookEntry(m,
        false)));
    return List.copyOf(out.values());
  }

  /**
   * A file entry as a record would state it. A port 0 (bind any: tests, or a joiner's
   * placeholder for a port nobody recorded) is no address another machine can use, so it is
   * left out ("").
   */
  private MemberAddresses fromFile(ReplicaAddresses r) {
    PublicKey key = config.keys().replicaKeys().get(r.id());
    return new MemberAddresses(r.id(), ReplicaAddresses.text(r.peer()),
        ReplicaAddresses.text(r.client()), usable(r.metrics()), usable(r.redis()),
        key == null ? new byte[0] : key.getEncoded());
  }

  private static String usable(InetSocketAddress address) {
    return address.getPort() == 0 ? "" : ReplicaAddresses.text(address);
  }

  /** The addresses recorded for {@code replica} in the replicated configuration, if any. */
  Optional<MemberAddresses> recorded(int replica) {
    return Optional.ofNullable(recorded.get(replica));
  }

  /** {@code replica}'s client address: recorded, else the file's; empty if neither has one. */
  Optional<InetSocketAddress> client(int replica) {
    MemberAddresses m = recorded.get(replica);
    return m != null ? Optional.of(socket(m.client()))
        : config.replica(replica).map(ReplicaAddresses::client);
  }

  /** {@code replica}'s client address as {@code host:port} text (redirects), or "". */
  String clientText(int replica) {
    MemberAddresses m = recorded.get(replica);
    return m != null ? m.client()
        : config.replica(replica).map(r -> ReplicaAddresses.text(r.client())).orElse("");
  }

  /**
   * An address the record's {@code host:port} names, left unresolved: resolving is I/O, and the
   * network resolves it when it dials (the record's text was checked when it was ordered).
   */
  static InetSocketAddress socket(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return InetSocketAddress.createUnresolved(host,
        Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
