package io.lockstep.redis;

import io.lockstep.machine.ClientId;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Settings of one {@link RedisServer}.
 *
 * @param host the address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port the port, or 0 for any free port
 * @param limits what one command may contain
 * @param maxClients most open connections; further ones get Redis's "max number of clients
 *     reached" error and are closed
 * @param maxPipelined most commands of one connection received but not yet answered; beyond it
 *     the server stops reading from that connection until replies drain (back-pressure)
 * @param ioThreads Netty I/O threads for connections (the machine may have 2 cores: 1 is plenty)
 * @param clientIdPrefix prefix of every connection's {@link ClientId}: connection {@code n}
 *     is {@code <prefix>/<n>}. It must differ between replicas and between runs of one replica,
 *     or a new connection could be mistaken for an old session and get its cached reply (X4);
 *     {@link #defaults} draws 64 random bits.
 * @param password the password every connection must give with {@code AUTH} before other
 *     commands (Redis's {@code requirepass}), or null for none
 * @param maxConnectionBytes most bytes of one connection's commands received but not yet
 *     answered ({@link RespCommand#bytes()}); beyond it the server stops reading that
 *     connection until half are answered (back-pressure, like {@code maxPipelined})
 * @param maxTotalBytes the same over all connections; beyond it every connection with commands
 *     outstanding stops being read until its own are answered (one with none is always read,
 *     so no connection waits for ever)
 * @param maxReplyBytes most reply bytes waiting to be written to one connection; a connection
 *     stops being read long before (when its socket buffer backs up), and one whose unread
 *     replies still exceed this is closed with a logged reason (Redis's
 *     {@code client-output-buffer-limit})
 */
public record RedisServerConfig(String host, int port, RespLimits limits, int maxClients,
    int maxPipelined, int ioThreads, String clientIdPrefix, String password,
    long maxConnectionBytes, long maxTotalBytes, long maxReplyBytes) {
  /** Default {@link #maxConnectionBytes()}: 16 MiB. */
  public static final long DEFAULT_CONNECTION_BYTES = 16L << 20;
  /** Default {@link #maxTotalBytes()}: 512 MiB. */
  public static final long DEFAULT_TOTAL_BYTES = 512L << 20;
  /** Default {@link #maxReplyBytes()}: 256 MiB, above the largest single reply. */
  public static final long DEFAULT_REPLY_BYTES = 256L << 20;

  /** Room left in a {@link ClientId} for the connection number. */
  private static final int MAX_PREFIX = ClientId.MAX_LENGTH - 21;

  public RedisServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (maxClients < 1) {
      throw new IllegalArgumentException("maxClients must be at least 1, was " + maxClients);
    }
    if (maxPipelined < 1) {
      throw new IllegalArgumentException("maxPipelined must be at least 1, was " + maxPipelined);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
    }
    if (clientIdPrefix.isEmpty() || clientIdPrefix.length() > MAX_PREFIX) {
      throw new IllegalArgumentException(
          "clientIdPrefix must have 1 to " + MAX_PREFIX + " characters");
    }
    ClientId.of(clientIdPrefix);
    if (password != null && password.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty (use null for none)");
    }
    if (maxConnectionBytes < 1 || maxTotalBytes < 1 || maxReplyBytes < 1) {
      throw new IllegalArgumentException("maxConnectionBytes, maxTotalBytes and maxReplyBytes"
          + " must be positive, were " + maxConnectionBytes + ", " + maxTotalBytes + ", "
          + maxReplyBytes);
    }
  }

  /** The settings without a password, with the default byte budgets. */
  public RedisServerConfig(String host, int port, RespLimits limits, int maxClients,
      int maxPipelined, int ioThreads, String clientIdPrefix) {
    this(host, port, limits, maxClients, maxPipelined, ioThreads, clientIdPrefix, null);
  }

  /** The settings with the default byte budgets. */
  public RedisServerConfig(String host, int port, RespLimits limits, int maxClients,
      int maxPipelined, int ioThreads, String clientIdPrefix, String password) {
    this(host, port, limits, maxClients, maxPipelined, ioThreads, clientIdPrefix, password,
        DEFAULT_CONNECTION_BYTES, DEFAULT_TOTAL_BYTES, DEFAULT_REPLY_BYTES);
  }

  /** The same settings with other byte budgets. */
  public RedisServerConfig withBudgets(long connectionBytes, long totalBytes, long replyBytes) {
    return new RedisServerConfig(host, port, limits, maxClients, maxPipelined, ioThreads,
        clientIdPrefix, password, connectionBytes, totalBytes, replyBytes);
  }

  /**
   * Listens on {@code host:port} with {@link RespLimits#DEFAULTS}, at most 10 000 clients (as
   * Redis), 1 024 pipelined commands per connection, one I/O thread, and a random client id
   * prefix {@code redis-<16 hex digits>}.
   */
  public static RedisServerConfig defaults(String host, int port) {
    byte[] nonce = new byte[8];
    new SecureRandom().nextBytes(nonce);
    return new RedisServerConfig(host, port, RespLimits.DEFAULTS, 10_000, 1_024, 1,
        "redis-" + HexFormat.of().formatHex(nonce));
  }

  /** The same settings with another client id prefix (e.g. {@code redis-r2-<boot id>}). */
  public RedisServerConfig withClientIdPrefix(String prefix) {
    return new RedisServerConfig(host, port, limits, maxClients, maxPipelined, ioThreads, prefix,
        password, maxConnectionBytes, maxTotalBytes, maxReplyBytes);
  }

  /** The same settings with a password ({@code requirepass}), or none if null. */
  public RedisServerConfig withPassword(String newPassword) {
    return new RedisServerConfig(host, port, limits, maxClients, maxPipelined, ioThreads,
        clientIdPrefix, newPassword, maxConnectionBytes, maxTotalBytes, maxReplyBytes);
  }

  @Override
  public String toString() {
    return "RedisServerConfig[" + host + ":" + port + ", maxClients=" + maxClients
        + ", password " + (password == null ? "none" : "set") + "]";
  }
}
