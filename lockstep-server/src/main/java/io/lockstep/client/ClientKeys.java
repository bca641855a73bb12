package io.lockstep.client;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;

/**
 * A client's keys: its own Ed25519 private key, which it proves on every connection, and each
 * replica's id and public key, which the replica must prove — so a reply's connection names the
 * replica that sent it (what a Byzantine-mode client counts votes by).
 *
 * @param privateKey this client's private key
 * @param replicaIds the replicas' ids, in the order of {@link ClientOptions#replicas()}
 * @param replicaKeys the replicas' public keys, in the same order
 */
public record ClientKeys(PrivateKey privateKey, List<Integer> replicaIds,
    List<PublicKey> replicaKeys) {
  public ClientKeys {
    Objects.requireNonNull(privateKey, "privateKey");
    replicaIds = List.copyOf(replicaIds);
    replicaKeys = List.copyOf(replicaKeys);
    if (replicaIds.size() != replicaKeys.size()) {
      throw new IllegalArgumentException(replicaIds.size() + " replica ids but "
          + replicaKeys.size() + " replica keys");
    }
  }

  @Override
  public String toString() {
    return "ClientKeys[replicas " + replicaIds + "]";
  }
}
