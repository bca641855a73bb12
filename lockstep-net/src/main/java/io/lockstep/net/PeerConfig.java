package io.lockstep.net;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link PeerNetwork} needs: who this node is, where it listens, where the others are, and
 * the cluster's shared secret.
 *
 * @param self this replica's id
 * @param listen the address to listen on (port 0 picks a free port; see {@link PeerNetwork#port})
 * @param peers every replica's address by id; an entry for {@code self} is allowed and dropped, so
 *     one cluster-wide map serves every replica (the accessor returns the others only)
 * @param cluster the cluster's name; replicas of another cluster are refused
 * @param secret the cluster's shared secret, at least {@value #MIN_SECRET_BYTES} bytes (generate
 *     32 random bytes once per cluster and give them to every replica, never to clients)
 * @param options tunables
 */
public record PeerConfig(int self, InetSocketAddress listen, Map<Integer, InetSocketAddress> peers,
    String cluster, byte[] secret, NetOptions options) {
  /** Shortest secret accepted (128 bits). */
  public static final int MIN_SECRET_BYTES = 16;

  public PeerConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(options, "options");
    Hello.checkName("cluster", cluster);
    checkSecret("secret", secret);
    TreeMap<Integer, InetSocketAddress> others = new TreeMap<>();
    peers.forEach((id, address) -> {
      Objects.requireNonNull(id, "peer id");
      Objects.requireNonNull(address, "address of peer " + id);
      if (id != self) {
        others.put(id, address);
      }
    });
    peers = Map.copyOf(others);
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerConfig c && self == c.self && listen.equals(c.listen)
        && peers.equals(c.peers) && cluster.equals(c.cluster)
        && java.security.MessageDigest.isEqual(secret, c.secret) && options.equals(c.options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(self, listen, peers, cluster, options);
  }

  @Override
  public String toString() {
    return "PeerConfig[self=" + self + ", listen=" + listen + ", peers=" + new TreeMap<>(peers)
        + ", cluster=" + cluster + ", secret=(" + secret.length + " bytes)]";
  }

  static void checkSecret(String what, byte[] secret) {
    Objects.requireNonNull(secret, what);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(what + " is " + secret.length + " bytes; at least "
          + MIN_SECRET_BYTES + " are needed (use 32 random bytes)");
    }
  }
}
