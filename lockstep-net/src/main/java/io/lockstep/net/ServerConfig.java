package io.lockstep.net;

import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.util.Objects;

/**
 * What a {@link FrameServer} needs.
 *
 * @param cluster the cluster's name; clients of another cluster are refused
 * @param serverId this server's id, sent to clients (e.g. the replica id)
 * @param listen the address to listen on (port 0 picks a free port)
 * @param auth how clients authenticate (chosen explicitly, including "none")
 * @param options tunables
 * @param privateKey this server's Ed25519 private key, which it proves to key-mode clients;
 *     required when {@code auth} has client keys, else null
 */
public record ServerConfig(String cluster, String serverId, InetSocketAddress listen,
    ClientAuth auth, NetOptions options, PrivateKey privateKey) {
  public ServerConfig {
    Hello.checkName("cluster", cluster);
    Hello.checkName("serverId", serverId);
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(auth, "auth (use ClientAuth.none() to run without authentication)");
    Objects.requireNonNull(options, "options");
    if (auth.acceptsKeys() && privateKey == null) {
      throw new IllegalArgumentException("clients that prove keys need the server's own private"
          + " key, so they can check whom they talk to");
    }
  }

  /** A server without a key of its own (clients authenticate by secret, or not at all). */
  public ServerConfig(String cluster, String serverId, InetSocketAddress listen, ClientAuth auth,
      NetOptions options) {
    this(cluster, serverId, listen, auth, options, null);
  }
}
