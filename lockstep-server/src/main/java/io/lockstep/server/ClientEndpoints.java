package io.lockstep.server;

import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameServer;
import io.lockstep.net.NetOptions;
import io.lockstep.net.NetStats;
import io.lockstep.net.ServerConfig;
import io.lockstep.order.FailureModel;
import io.lockstep.redis.RedisServer;
import io.lockstep.redis.RedisServerConfig;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How clients reach one replica: the client port ({@link ClientPort} behind a
 * {@link FrameServer}), the Redis port (service {@code kv} only) and the {@link LeaderForwarder}
 * through which a follower hands the Redis port's and colocated clients' commands to the leader.
 *
 * <p>Kept apart from {@link ReplicaServer} because these parts are wired from the same pieces
 * (the loop, the address book, the client credentials and the request timeout), and the rest of
 * the server only asks them for port numbers and traffic figures. Each part is kept as soon as
 * it is opened, so that closing after a start that failed half-way closes what was opened; the
 * server closes the ports and the forwarder at different points of its shutdown
 * ({@link #stopAccepting()} first, then {@link #closeForwarder()} once the loop has stopped).
 */
final class ClientEndpoints {
  private final ClusterConfig config;
  private final int id;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService timer;
  private ReplicaLoop loop;
  private FrameServer clientServer;
  private LeaderForwarder forwarder;
  private RedisServer redis;

  ClientEndpoints(ClusterConfig config, int id, ServerMetrics metrics,
      ScheduledExecutorService timer) {
    this.config = config;
    this.id = id;
    this.metrics = metrics;
    this.timer = timer;
  }

  /**
   * Opens the client port, makes the forwarder, then opens the Redis port (service {@code kv}).
   *
   * @param relay relays requests clients hand here with an authenticator, or null
   * @throws IOException if a port cannot be bound
   */
  void start(ReplicaAddresses me, ReplicaIdentity identity, ReplicaLoop loop,
      AddressBook addresses, RequestRelay relay, SignatureIntake intake) throws IOException {
    this.loop = loop;
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    clientServer = FrameServer.start(new ServerConfig(config.name(), Integer.toString(id),
        me.client(), identity.clients(ClientCredentials.clientAuth(config),
            addresses::machineKey), net,
        identity.privateKey()),
        clientPort(addresses, relay, intake));
    forwarder = new LeaderForwarder(
        new FrameClient(ClientCredentials.forwarderConfig(config, id, net)),
        leader -> addresses.client(leader).orElseThrow(), config.requestTimeoutMillis(),
        () -> metrics.budgetRefused(ServerMetrics.FORWARD_EXPIRED));
    if (config.service() == Service.KV) {
      redis = startRedis(me);
    }
  }

  /**
   * The client port. Under Byzantine faults it also sends each reply that no question here
   * waits for to its client's key-proved connections: a client handing its signed request to
   * one replica votes on every replica's reply.
   */
  private ClientPort clientPort(AddressBook addresses, RequestRelay relay,
      SignatureIntake intake) {
    ClientPort port = new ClientPort(loop, metrics, config.perClientAuthentication(),
        config.budgets().clientConnectionBytes(), config.requestTimeoutMillis())
        .operators(OperatorAuth.checking(config.name(), config.secret(),
            config.keys().operatorKeys()))
        .addressBook(addresses::entries);
    if (relay != null) {
      relay.checkTagsWith(port::authenticates);
    }
    if (config.failureModel() == FailureModel.BYZANTINE) {
      loop.unaskedReplies(port::pushReply);
      if (SignatureIntake.enabled(System.getenv("LOCKSTEP_SIGNATURE_PRECHECK"))) {
        port.signedRequests(claim -> intake.precheck(List.of(claim)));
      }
    }
    return port;
  }

  /** The Redis port; one that cannot be bound is an IOException, as for the other ports. */
  private RedisServer startRedis(ReplicaAddresses me) throws IOException {
    try {
      return RedisServer.start(RedisServerConfig.defaults(me.redis().getHostString(),
          me.redis().getPort()).withClientIdPrefix("redis-r" + id + "-" + bootId())
          .withPassword(config.redisPassword())
          .withBudgets(config.budgets().redisConnectionBytes(), config.budgets().redisTotalBytes(),
              config.budgets().redisReplyBytes()),
          ordering());
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static String bootId() {
    byte[] nonce = new byte[8];
    new SecureRandom().nextBytes(nonce);
    return HexFormat.of().formatHex(nonce);
  }

  /**
   * A new ordering session onto the loop, forwarding to the leader from a follower: what the
   * Redis port and each colocated client submit their commands through.
   */
  RedisBridge ordering() {
    return new RedisBridge(id, loop, forwarder, timer, config.requestTimeoutMillis());
  }

  /** The client port's number (useful when configured as 0). */
  int clientPort() {
    return clientServer.port();
  }

  /** The client port's traffic figures, for the metrics. */
  NetStats clientStats() {
    return clientServer.stats();
  }

  /** The Redis port, or null when the service is not {@code kv}. */
  RedisServer redis() {
    return redis;
  }

  /** The Redis port's number, or -1 when the service is not {@code kv}. */
  int redisPort() {
    return redis == null ? -1 : redis.port();
  }

  /** Closes the Redis port, then the client port: the first step of the server's shutdown. */
  void stopAccepting() {
    ReplicaServer.closeQuietly(redis);
    ReplicaServer.closeQuietly(clientServer);
  }

  /** Closes the forwarder to the leader; the server does so only once its loop has stopped. */
  void closeForwarder() {
    ReplicaServer.closeQuietly(forwarder);
  }
}
