package io.lockstep.net;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a {@link FrameServer} needs.
 *
 * @param cluster the cluster's name; clients of another cluster are refused
 * @param serverId this server's id, sent to clients (e.g. the replica id)
 * @param listen the address to listen on (port 0 picks a free port)
 * @param auth how clients authenticate (chosen explicitly, including "none")
 * @param options tunables
 */
public record ServerConfig(String cluster, String serverId, InetSocketAddress listen,
    ClientAuth auth, NetOptions options) {
  public ServerConfig {
    Hello.checkName("cluster", cluster);
    Hello.checkName("serverId", serverId);
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(auth, "auth (use ClientAuth.none() to run without authentication)");
    Objects.requireNonNull(options, "options");
  }
}
