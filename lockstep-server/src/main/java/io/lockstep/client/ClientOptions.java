package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.ReplicaAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How a {@link LockstepClient} reaches a cluster.
 *
 * @param cluster the cluster name (the handshake refuses another cluster)
 * @param replicas every replica's client address
 * @param clientId this client's session identity; must be unique among live clients (a random
 *     one from {@link #of})
 * @param secret the clients' shared secret, or null when the cluster does not authenticate
 *     clients
 * @param failureModel and {@code t}: how the voter combines replies (paper §4, S13)
 * @param t faults tolerated
 * @param attemptTimeout how long one attempt waits before the same request is retried at
 *     another replica
 * @param deadline how long a request may take in all; a write without an outcome by then fails
 *     with {@link IndeterminateException}
 * @param keys this client's key and the replicas' (instead of a secret), or null; required in
 *     the Byzantine model, where each reply is counted as the vote of the replica whose key its
 *     connection proved
 * @param oneReplicaReads queries ({@link LockstepClient#query}) go to one replica and are
 *     answered from its applied state (paper §3 relaxation, fail-stop only; see {@link
 *     LockstepClient#readOneReplica}): possibly stale, but never older than this client's own
 *     writes and earlier reads. Off by default: queries are linearizable
 * @param transmitter how a Byzantine-mode client gets each request to the replicas ({@link
 *     Transmitter}): to every replica (the default), or signed to one replica at a time
 */
public record ClientOptions(String cluster, List<InetSocketAddress> replicas, ClientId clientId,
    byte[] secret, FailureModel failureModel, int t, Duration attemptTimeout, Duration deadline,
    ClientKeys keys, boolean oneReplicaReads, Transmitter transmitter) {
  public ClientOptions {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(failureModel, "failureModel");
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("at least one replica address is needed");
    }
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()
        || deadline.compareTo(attemptTimeout) < 0) {
      throw new IllegalArgumentException("attemptTimeout (" + attemptTimeout
          + ") must be positive and at most the deadline (" + deadline + ")");
    }
    if (keys != null && keys.replicaIds().size() != replicas.size()) {
      throw new IllegalArgumentException("keys name " + keys.replicaIds().size()
          + " replicas, the addresses " + replicas.size());
    }
    if (keys != null && secret != null) {
      throw new IllegalArgumentException("a client proves a secret or a key, not both");
    }
    if (failureModel == FailureModel.BYZANTINE && keys == null) {
      throw new IllegalArgumentException("a Byzantine-mode client needs keys: it counts each"
          + " reply as the vote of the replica whose key its connection proved (connect with"
          + " ClientOptions.fromConfig(config, clientId) for a client with client.ID.public-key)");
    }
    if (failureModel == FailureModel.BYZANTINE && oneReplicaReads) {
      throw new IllegalArgumentException(ONE_REPLICA_BYZANTINE);
    }
    Objects.requireNonNull(transmitter, "transmitter");
    if (transmitter != Transmitter.BROADCAST
        && (failureModel != FailureModel.BYZANTINE || keys == null)) {
      throw new IllegalArgumentException("client.transmitter=" + transmitter.setting() + " needs"
          + " a Byzantine-mode client with its own key: "
          + (transmitter == Transmitter.ONE_REPLICA ? "it signs each request"
              : "its connections' keys make the authenticator of each request")
          + " so that the replicas take it from the one replica it hands it to (this client is "
          + failureModel + (keys == null ? ", without a key)" : ")"));
    }
  }

  /** Options that send each request to every replica. */
  public ClientOptions(String cluster, List<InetSocketAddress> replicas, ClientId clientId,
      byte[] secret, FailureModel failureModel, int t, Duration attemptTimeout,
      Duration deadline, ClientKeys keys, boolean oneReplicaReads) {
    this(cluster, replicas, clientId, secret, failureModel, t, attemptTimeout, deadline, keys,
        oneReplicaReads, Transmitter.BROADCAST);
  }

  /** Why a Byzantine-mode client may not read from one replica. */
  static final String ONE_REPLICA_BYZANTINE = "reads from one replica need the fail-stop model:"
      + " under Byzantine faults one replica's answer could be a lie, so reads are voted on";

  /** Options without the one-replica read choice: queries are linearizable. */
  public ClientOptions(String cluster, List<InetSocketAddress> replicas, ClientId clientId,
      byte[] secret, FailureModel failureModel, int t, Duration attemptTimeout,
      Duration deadline, ClientKeys keys) {
    this(cluster, replicas, clientId, secret, failureModel, t, attemptTimeout, deadline, keys,
        false);
  }

  /** Options without keys. */
  public ClientOptions(String cluster, List<InetSocketAddress> replicas, ClientId clientId,
      byte[] secret, FailureModel failureModel, int t, Duration attemptTimeout,
      Duration deadline) {
    this(cluster, replicas, clientId, secret, failureModel, t, attemptTimeout, deadline, null);
  }

  /**
   * Fail-stop voting (first reply) with t = ⌊(n−1)/2⌋, a random client id, no client secret,
   * 500 ms per attempt and a 10 s deadline.
   */
  public static ClientOptions of(String cluster, List<InetSocketAddress> replicas) {
    return new ClientOptions(cluster, replicas, ClientId.of("client-" + UUID.randomUUID()), null,
        FailureModel.FAIL_STOP, (replicas.size() - 1) / 2, Duration.ofMillis(500),
        Duration.ofSeconds(10));
  }

  /**
   * Options to reach the cluster a config file describes (the file the replicas read): its
   * name, every replica's client address, its failure model and t, and its shared client
   * secret if it has one; a random client id.
   *
   * @throws ConfigException if the file is invalid
   * @throws IllegalArgumentException if the cluster authenticates each client (use
   *     {@link #fromConfig(ClusterConfig, String)})
   */
  public static ClientOptions fromConfig(Path file) throws IOException, ConfigException {
    return fromConfig(ClusterConfig.load(file));
  }

  /** As {@link #fromConfig(Path)}, from a config already loaded. */
  public static ClientOptions fromConfig(ClusterConfig config) {
    if (config.failureModel() == FailureModel.BYZANTINE) {
      throw new IllegalArgumentException("cluster " + config.name() + " is Byzantine: connect"
          + " with fromConfig(config, clientId) as a client with a key, one of "
          + config.keys().clientKeys().keySet());
    }
    if (config.perClientAuthentication()) {
      throw new IllegalArgumentException("cluster " + config.name() + " authenticates each"
          + " client: connect with fromConfig(config, clientId), clientId one of "
          + config.clientSecrets().keySet());
    }
    ClientOptions options = base(config)
        .withClientId(ClientId.of("client-" + UUID.randomUUID()));
    return config.clientSecret() == null ? options : options.withSecret(config.clientSecret());
  }

  /**
   * As {@link #fromConfig(ClusterConfig)} acting as {@code clientId}: with the cluster's
   * per-client secrets ({@code client.ID.secret}) it proves that id with its own secret.
   *
   * @throws IllegalArgumentException if the cluster authenticates each client and has no
   *     secret for {@code clientId}
   */
  public static ClientOptions fromConfig(ClusterConfig config, String clientId) {
    ClientOptions options = base(config).withClientId(ClientId.of(clientId));
    if (config.keys().clientKeys().containsKey(clientId)
        && config.keys().clientKeyFiles().containsKey(clientId)) {
      return options.withKeys(keysOf(config, clientId)).withFailureModel(config.failureModel())
          .withTransmitter(Transmitter.defaultFor(config), config);
    }
    if (config.failureModel() == FailureModel.BYZANTINE) {
      throw new IllegalArgumentException("the config of Byzantine cluster " + config.name()
          + " has no client." + clientId + ".public-key and .private-key-file (run `lockstep"
          + " keys --clients`); its keyed clients are " + config.keys().clientKeys().keySet());
    }
    if (config.perClientAuthentication()) {
      byte[] own = config.clientSecrets().get(clientId);
      if (own == null) {
        throw new IllegalArgumentException("the config of cluster " + config.name()
            + " has no client." + clientId + ".secret; its clients are "
            + config.clientSecrets().keySet());
      }
      return options.withSecret(own);
    }
    return config.clientSecret() == null ? options : options.withSecret(config.clientSecret());
  }


  private static ClientOptions base(ClusterConfig config) {
    List<InetSocketAddress> replicas =
        config.replicas().stream().map(ReplicaAddresses::client).toList();
    return new ClientOptions(config.name(), replicas, ClientId.of("client-" + UUID.randomUUID()),
        null, FailureModel.FAIL_STOP, config.t(), Duration.ofMillis(500), Duration.ofSeconds(10));
  }

  /** Client {@code id}'s key (read from its file) and every replica's public key. */
  private static ClientKeys keysOf(ClusterConfig config, String id) {
    try {
      return new ClientKeys(config.keys().clientPrivateKey(id), config.members(),
          config.members().stream().map(m -> config.keys().replicaKeys().get(m)).toList());
    } catch (IOException e) {
      throw new IllegalArgumentException("client " + id + "'s private key: " + e.getMessage(), e);
    }
  }

  /** The same options voting under {@code model} (Byzantine needs keys set first). */
  public ClientOptions withFailureModel(FailureModel model) {
    return new ClientOptions(cluster, replicas, clientId, secret, model, t, attemptTimeout,
        deadline, keys, oneReplicaReads, transmitter);
  }

  /** The same options with keys (and no secret). */
  public ClientOptions withKeys(ClientKeys clientKeys) {
    return new ClientOptions(cluster, replicas, clientId, null, failureModel, t, attemptTimeout,
        deadline, clientKeys, oneReplicaReads, transmitter);
  }

  /** The same options with another client id. */
  public ClientOptions withClientId(ClientId id) {
    return new ClientOptions(cluster, replicas, id, secret, failureModel, t, attemptTimeout,
        deadline, keys, oneReplicaReads, transmitter);
  }

  /** The same options with other timeouts. */
  public ClientOptions withTimeouts(Duration attempt, Duration overall) {
    return new ClientOptions(cluster, replicas, clientId, secret, failureModel, t, attempt,
        overall, keys, oneReplicaReads, transmitter);
  }

  /**
   * The same options with another transmitter mode, checked against the cluster's file.
   *
   * @throws IllegalArgumentException with the reason where the mode cannot work (see {@link
   *     Transmitter#refusal}, and a client without its own key)
   */
  public ClientOptions withTransmitter(Transmitter mode, ClusterConfig config) {
    String refusal = mode.refusal(config);
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
    return new ClientOptions(cluster, replicas, clientId, secret, failureModel, t,
        attemptTimeout, deadline, keys, oneReplicaReads, mode);
  }

  /** The same options with a client secret. */
  public ClientOptions withSecret(byte[] clientSecret) {
    return new ClientOptions(cluster, replicas, clientId, clientSecret, failureModel, t,
        attemptTimeout, deadline, keys, oneReplicaReads, transmitter);
  }

  /**
   * The same options with queries answered by one replica ({@code true}) or linearizable
   * ({@code false}, the default); see {@link #oneReplicaReads()}.
   *
   * @throws IllegalArgumentException if {@code true} in the Byzantine model
   */
  public ClientOptions withOneReplicaReads(boolean on) {
    return new ClientOptions(cluster, replicas, clientId, secret, failureModel, t,
        attemptTimeout, deadline, keys, on, transmitter);
  }
}
