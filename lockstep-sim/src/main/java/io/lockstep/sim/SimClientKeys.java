package io.lockstep.sim;

import io.lockstep.machine.ClientId;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulated clients' own keys: each client id (a client that gives up takes a new one) has
 * a key derived from the run's key seed, so a seed replays exactly. The replicas check with
 * {@link #keys()}; a lying replica is handed none, so it can sign as no client.
 *
 * <p>With {@code ed25519} the keys are real Ed25519 pairs ({@link RequestSignature}); otherwise
 * HMAC-SHA512 under each client's own secret (64 bytes, the same length), checked by
 * recomputing it, as {@link MacSigners} does for replicas: the same checks at a fraction of the
 * cost, for runs of many seeds.
 */
public final class SimClientKeys {
  private final long seed;
  private final boolean ed25519;
  private final Map<ClientId, KeyPair> pairs = new HashMap<>();

  /**
   * @param seed the run's key seed
   * @param ed25519 real Ed25519 keys, else HMAC-SHA512
   */
  public SimClientKeys(long seed, boolean ed25519) {
    this.seed = seed;
    this.ed25519 = ed25519;
  }

  /** {@code request}'s client's signature over it. */
  public byte[] sign(Request request) {
    byte[] data = RequestSignature.signedBytes(request);
    return ed25519 ? RequestSignature.sign(request, pair(request.client()).getPrivate())
        : mac(request.client(), data);
  }

  /** What every replica checks client signatures with. */
  public ClientPublicKeys keys() {
    return (client, data, signature) -> signature != null
        && signature.length == RequestSignature.LENGTH && (ed25519
            ? ClientPublicKeys.ed25519(Map.of(client, pair(client).getPublic()))
                .verify(client, data, signature)
            : MessageDigest.isEqual(mac(client, data), signature));
  }

  private synchronized KeyPair pair(ClientId client) {
    return pairs.computeIfAbsent(client, c -> SeededKeys.pairs(List.of(0),
        seed * 31 + c.value().hashCode()).get(0));
  }

  private byte[] mac(ClientId client, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      byte[] secret = (seed + "/" + client.value()).getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(secret, "HmacSHA512"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA512", e);
    }
  }
}
