package io.lockstep.net;

import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link PeerNetwork} needs: who this node is, where it listens, where the others are, and
 * how replicas prove who they are: each its own Ed25519 key ({@link #withKeys}; a replica can then
 * speak only as itself) or, as a fallback for clusters configured before keys existed, the
 * cluster's shared secret (every holder can speak as any replica).
 *
 * @param self this replica's id
 * @param listen the address to listen on (port 0 picks a free port; see {@link PeerNetwork#port})
 * @param peers every replica's address by id; an entry for {@code self} is allowed and dropped, so
 *     one cluster-wide map serves every replica (the accessor returns the others only)
 * @param cluster the cluster's name; replicas of another cluster are refused
 * @param secret the cluster's shared secret, at least {@value #MIN_SECRET_BYTES} bytes (generate
 *     32 random bytes once per cluster and give them to every replica, never to clients); used
 *     on the peer port only when no keys are given, and null allowed then
 * @param options tunables
 * @param privateKey this replica's Ed25519 private key, or null to use the shared secret
 * @param publicKeys every replica's Ed25519 public key by id (with {@code privateKey})
 */
public record PeerConfig(int self, InetSocketAddress listen, Map<Integer, InetSocketAddress> peers,
    String cluster, byte[] secret, NetOptions options, PrivateKey privateKey,
    Map<Integer, PublicKey> publicKeys) {
  /** Shortest secret accepted (128 bits). */
  public static final int MIN_SECRET_BYTES = 16;

  public PeerConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(options, "options");
    Hello.checkName("cluster", cluster);
    if (privateKey == null) {
      checkSecret("secret", secret); // keys prove replicas without it
    }
    publicKeys = Map.copyOf(publicKeys == null ? Map.of() : publicKeys);
    if (privateKey != null) {
      for (Integer id : peers.keySet()) {
        if (!publicKeys.containsKey(id)) {
          throw new IllegalArgumentException("replica " + id + " has no public key: with keys,"
              + " every replica needs one");
        }
      }
    }
    TreeMap<Integer, InetSocketAddress> others = new TreeMap<>();
    peers.forEach((id, address) -> {
      Objects.requireNonNull(id, "peer id");
      Objects.requireNonNull(address, "address of peer " + id);
      if (id != self) {
        others.put(id, address);
      }
    });
    peers = Map.copyOf(others);
    secret = secret == null ? null : secret.clone();
  }

  /** A configuration that authenticates replicas by the shared secret only. */
  public PeerConfig(int self, InetSocketAddress listen, Map<Integer, InetSocketAddress> peers,
      String cluster, byte[] secret, NetOptions options) {
    this(self, listen, peers, cluster, secret, options, null, Map.of());
  }

  /** The same configuration proving {@code privateKey} and checking each peer's public key. */
  public PeerConfig withKeys(PrivateKey own, Map<Integer, PublicKey> keys) {
    return new PeerConfig(self, listen, peers, cluster, secret, options,
        java.util.Objects.requireNonNull(own, "own"), keys);
  }

  /**
   * A configuration in which replicas prove only their own keys, with no shared secret at all
   * (a cluster whose file names every replica's key needs none).
   */
  public static PeerConfig keyed(int self, InetSocketAddress listen,
      Map<Integer, InetSocketAddress> peers, String cluster, NetOptions options, PrivateKey own,
      Map<Integer, PublicKey> keys) {
    return new PeerConfig(self, listen, peers, cluster, null, options,
        Objects.requireNonNull(own, "own"), keys);
  }

  /** Whether replicas prove their own keys (else the shared secret). */
  public boolean usesKeys() {
    return privateKey != null;
  }

  @Override
  public byte[] secret() {
    return secret == null ? null : secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerConfig c && self == c.self && listen.equals(c.listen)
        && peers.equals(c.peers) && cluster.equals(c.cluster)
        && java.security.MessageDigest.isEqual(secret, c.secret) && options.equals(c.options)
        && Objects.equals(privateKey, c.privateKey) && publicKeys.equals(c.publicKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(self, listen, peers, cluster, options);
  }

  @Override
  public String toString() {
    return "PeerConfig[self=" + self + ", listen=" + listen + ", peers=" + new TreeMap<>(peers)
        + ", cluster=" + cluster
        + (secret == null ? ", no secret" : ", secret=(" + secret.length + " bytes)")
        + (privateKey == null ? "" : ", keys for " + new TreeMap<>(publicKeys).keySet()) + "]";
  }

  static void checkSecret(String what, byte[] secret) {
    Objects.requireNonNull(secret, what);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(what + " is " + secret.length + " bytes; at least "
          + MIN_SECRET_BYTES + " are needed (use 32 random bytes)");
    }
  }
}
