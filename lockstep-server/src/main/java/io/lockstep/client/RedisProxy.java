package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Role;
import io.lockstep.redis.BackendException;
import io.lockstep.redis.RedisBackend;
import io.lockstep.redis.RedisServer;
import io.lockstep.redis.RedisServerConfig;
import io.lockstep.redis.ReplicaInfo;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code lockstep proxy}: a Redis port for unmodified Redis clients in front of a cluster whose
 * replicas they cannot trust one by one. Each command goes through a {@link LockstepClient}
 * session (one per Redis connection): in the Byzantine model to every replica, answered only
 * with 2t+1 identical replies (reads: 2t+1 matching answers, else ordered), so up to t lying
 * replicas cannot make the application see a wrong or stale answer. The proxy itself is trusted, as the application's own
 * client library would be: run it beside the application.
 *
 * <p>Sessions are named {@code <client id>/<boot id>-<n>}, so a cluster that binds each keyed
 * client to its id accepts them as the proxy's own.
 */
public final class RedisProxy implements AutoCloseable {
  private final LockstepClient client;
  private final RedisServer server;

  private RedisProxy(LockstepClient client, RedisServer server) {
    this.client = client;
    this.server = server;
  }

  /**
   * Listens on {@code host:port} (0 picks a free port) and forwards through a client with
   * {@code options}.
   *
   * @param password the password Redis clients must AUTH with first, or null for none
   */
  public static RedisProxy start(ClientOptions options, String host, int port, String password) {
    return start(options, host, port, password, ClientJournal.OFF);
  }

  /**
   * As {@link #start(ClientOptions, String, int, String)}, keeping the proxy's own event journal
   * in {@code journal} (closed with the proxy): every command's invocation, attempts, the
   * replicas' replies it voted on, and its outcome.
   */
  public static RedisProxy start(ClientOptions options, String host, int port, String password,
      ClientJournal journal) {
    LockstepClient client = LockstepClient.connect(options).journal(journal);
    byte[] boot = new byte[6];
    new SecureRandom().nextBytes(boot);
    String prefix = options.clientId().value() + "/" + HexFormat.of().formatHex(boot) + "-";
    try {
      RedisServer server = RedisServer.start(RedisServerConfig.defaults(host, port)
          .withClientIdPrefix(prefix).withPassword(password), new Backend(client));
      return new RedisProxy(client, server);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** The Redis port. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }

  /** Each Redis connection's commands as one client session of the cluster. */
  private static final class Backend implements RedisBackend {
    private final LockstepClient client;
    private final Map<ClientId, ClientSession> sessions = new ConcurrentHashMap<>();
    private final ReplicaInfo info = new ReplicaInfo.Fixed(0, Role.FOLLOWER, 0, -1, 0, 0);

    Backend(LockstepClient client) {
      this.client = client;
    }

    private ClientSession session(ClientId id) {
      return sessions.computeIfAbsent(id, client::newSession);
    }

    @Override
    public CompletableFuture<byte[]> write(ClientId id, byte[] command) {
      return translate(session(id).submit(command));
    }

    @Override
    public CompletableFuture<byte[]> read(ClientId id, byte[] query) {
      return translate(session(id).query(query));
    }

    @Override
    public ReplicaInfo info() {
      return info;
    }

    @Override
    public void disconnected(ClientId id) {
      sessions.remove(id);
    }

    /** The client's outcomes as the Redis port's: unknown stays unknown, refusals stay final. */
    private static CompletableFuture<byte[]> translate(CompletableFuture<byte[]> outcome) {
      CompletableFuture<byte[]> out = new CompletableFuture<>();
      outcome.whenComplete((value, error) -> {
        if (error == null) {
          out.complete(value);
          return;
        }
        Throwable cause = error instanceof CompletionException c && c.getCause() != null
            ? c.getCause() : error;
        out.completeExceptionally(cause instanceof RejectedException r
            ? new BackendException.Rejected(r.reason())
            : new BackendException.Indeterminate(String.valueOf(cause.getMessage())));
      });
      return out;
    }
  }
}
