package io.lockstep.server.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where one replica listens.
 *
 * @param id the replica id (non-negative)
 * @param peer the port other replicas connect to (Raft messages)
 * @param client the port Java clients connect to ({@link io.lockstep.client.LockstepClient})
 * @param redis the RESP2 port for Redis clients (service {@code kv})
 * @param metrics the HTTP port serving {@code /metrics} and {@code /health}
 */
public record ReplicaAddresses(int id, InetSocketAddress peer, InetSocketAddress client,
    InetSocketAddress redis, InetSocketAddress metrics) {
  public ReplicaAddresses {
    if (id < 0) {
      throw new IllegalArgumentException("replica id must not be negative, was " + id);
    }
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** {@code host:port} of an address, as written in config files and redirects. */
  public static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
