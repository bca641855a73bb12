package io.lockstep.server;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.net.ClientAuth;
import io.lockstep.net.NetOptions;
import io.lockstep.net.PeerConfig;
import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * One replica's identity as the runtime uses it: with keys in the cluster file, its private key
 * (read from its own file at start), proven on the peer port and the client port and used by the
 * protocol to sign; without keys, the shared secret on the peer port and a signer that refuses
 * to sign ({@link Signer#none}).
 */
final class ReplicaIdentity {
  private final ClusterConfig config;
  private final int id;
  private final PrivateKey privateKey;
  /** The protocol's signer with keys (one instance: it learns recorded keys); else null. */
  private final RecordedKeysSigner keyed;

  private ReplicaIdentity(ClusterConfig config, int id, PrivateKey privateKey) {
    this.config = config;
    this.id = id;
    this.privateKey = privateKey;
    this.keyed = privateKey == null ? null
        : new RecordedKeysSigner(id, privateKey, config.keys().replicaKeys());
  }

  /** Reads replica {@code id}'s private key when the cluster has keys. */
  static ReplicaIdentity load(ClusterConfig config, int id) throws IOException {
    if (!config.keys().present()) {
      return new ReplicaIdentity(config, id, null);
    }
    PrivateKey key = config.keys().replicaPrivateKey(id);
    Signer probe = new Ed25519Signer(id, key, config.keys().replicaKeys());
    byte[] challenge = ("replica " + id + " key check")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (!probe.verify(id, challenge, probe.sign(challenge))) {
      throw new IOException("the private key in " + config.keys().replicaKeyFiles().get(id)
          + " does not match replica." + id + ".public-key in the cluster file");
    }
    return new ReplicaIdentity(config, id, key);
  }

  /** This replica's private key, or null without keys. */
  PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * What the protocol signs and verifies with ({@code ProtocolSetup.signer}): with keys, it
   * verifies replicas the file does not key by the keys the replicated configuration records
   * ({@link #learnKeys}).
   */
  Signer signer() {
    return keyed == null ? Signer.none(id) : keyed;
  }

  /**
   * The keys the replicated configuration records, by replica: the signer verifies by them from
   * now on (without keys in the cluster, nothing to learn).
   *
   * @return whether a key changed
   */
  boolean learnKeys(Map<Integer, PublicKey> recorded) {
    return keyed != null && keyed.learn(recorded);
  }

  /**
   * The peer port's configuration: each replica proves its own key when there are keys (the
   * shared secret, which such a cluster may not have, is then never used there), else the
   * shared secret.
   */
  PeerConfig peers(InetSocketAddress listen, Map<Integer, InetSocketAddress> peers,
      NetOptions options) {
    return privateKey == null
        ? new PeerConfig(id, listen, peers, config.name(), config.secret(), options)
        : PeerConfig.keyed(id, listen, peers, config.name(), options, privateKey,
            config.keys().replicaKeys());
  }

  /**
   * The client port's authentication: {@code base}, and with keys the clients' keys and a
   * joining machine's ({@link JoinerId}: the key {@code machineKey} gives for its replica id,
   * looked up when it connects because the record that names it may be ordered after this
   * replica started). {@link ClientPort} lets such a connection only ask for the address book.
   */
  ClientAuth clients(ClientAuth base, IntFunction<PublicKey> machineKey) {
    if (privateKey == null) {
      return base;
    }
    return base.withKeys(config.keys().clientKeys()).withLateKeys(clientId -> {
      OptionalInt replica = JoinerId.replica(clientId);
      return replica.isPresent() ? machineKey.apply(replica.getAsInt()) : null;
    });
  }
}
