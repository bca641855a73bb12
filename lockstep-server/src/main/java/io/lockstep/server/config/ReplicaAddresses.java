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
 * @param spare true for a replica listed with {@code replica.ID.role=spare}: it runs and is
 *     reachable, but is not in the initial configuration; a membership change (an operator's
 *     {@code lockstep member add}, or the configurator replacing a failed voter) makes it vote
 */
public record ReplicaAddresses(int id, InetSocketAddress peer, InetSocketAddress client,
    InetSocketAddress redis, InetSocketAddress metrics, boolean spare) {
  public ReplicaAddresses {
    if (id < 0) {
      throw new IllegalArgumentException("replica id must not be negative, was " + id);
    }
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** A replica of the initial configuration (a voter, not a spare). */
  public ReplicaAddresses(int id, InetSocketAddress peer, InetSocketAddress client,
      InetSocketAddress redis, InetSocketAddress metrics) {
    this(id, peer, client, redis, metrics, false);
  }

  /** The same addresses as a spare ({@code true}) or a voter of the initial configuration. */
  public ReplicaAddresses asSpare(boolean isSpare) {
    return new ReplicaAddresses(id, peer, client, redis, metrics, isSpare);
  }

  /** {@code host:port} of an address, as written in config files and redirects. */
  public static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
