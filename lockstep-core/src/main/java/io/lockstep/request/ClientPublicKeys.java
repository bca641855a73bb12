package io.lockstep.request;

import io.lockstep.machine.ClientId;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;

/**
 * The clients' public keys as a cluster knows them, used to check a client's own signature over
 * its request ({@link RequestSignature}). An order that takes a request on one replica's word
 * because its client signed it must answer identically at every correct replica, so an
 * implementation is a pure function of its arguments: the same keys everywhere (the cluster
 * file's, never keys learnt at run time by one replica), no clock, no randomness.
 */
public interface ClientPublicKeys {
  /**
   * Whether {@code signature} is {@code client}'s signature over {@code data}; false for a
   * client without a key and for a malformed signature, never an exception (the bytes come
   * from untrusted replicas and clients).
   */
  boolean verify(ClientId client, byte[] data, byte[] signature);

  /** No client has a key: nothing verifies, so every request needs t+1 carriers. */
  static ClientPublicKeys none() {
    return (client, data, signature) -> false;
  }

  /**
   * Ed25519 keys by client (JDK Ed25519: deterministic and thread-safe per call). A session
   * {@code id/…} of a client (X5: the sessions a client opens, e.g. one per Redis connection
   * of a proxy, which the client port already lets that client's connection act as) signs with
   * {@code id}'s key.
   */
  static ClientPublicKeys ed25519(Map<ClientId, PublicKey> keys) {
    Map<ClientId, PublicKey> copy = Map.copyOf(keys);
    return (client, data, signature) -> {
      PublicKey key = copy.get(client);
      int slash = client.value().indexOf('/');
      if (key == null && slash > 0) {
        key = copy.get(ClientId.of(client.value().substring(0, slash)));
      }
      if (key == null || data == null || signature == null
          || signature.length != RequestSignature.LENGTH) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(data);
        return verifier.verify(signature);
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    };
  }
}
