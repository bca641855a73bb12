package io.lockstep.sim;

import io.lockstep.identity.Signer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Simulator-only signatures that cost microseconds instead of Ed25519's tenth of a millisecond:
 * node i signs with HMAC-SHA256 under its own key, and a check recomputes the MAC under the
 * claimed signer's key. Inside one simulated run this is as unforgeable as Ed25519 where it
 * matters: a lying replica is handed only its own signer, so it can sign as itself and
 * nobody else, and a changed byte or a signature made by another node fails the check. What it
 * gives up (a verifier can also sign) is never used by a protocol core, which only ever holds
 * its own signer. Long many-seed runs use these; a share of seeds keeps real Ed25519 so the
 * production signer stays in the loop.
 */
public final class MacSigners {
  private MacSigners() {}

  /** A signer per member, keys derived from {@code seed} (a replay needs the same keys). */
  public static Map<Integer, Signer> of(Iterable<Integer> members, long seed) {
    return of(members, seed, "HmacSHA256");
  }

  /**
   * The same with HMAC-SHA512, whose 64-byte signatures are as long as Ed25519's, so what a
   * protocol signs, stores and sends keeps the size it has with Ed25519 (a run whose sizes
   * matter, as PBFT's batches and checkpoints may, then differs from its Ed25519 twin only
   * in the signatures' bytes).
   */
  public static Map<Integer, Signer> ed25519Sized(Iterable<Integer> members, long seed) {
    return of(members, seed, "HmacSHA512");
  }

  private static Map<Integer, Signer> of(Iterable<Integer> members, long seed,
      String algorithm) {
    Map<Integer, byte[]> keys = new HashMap<>();
    for (int member : members) {
      keys.put(member, key(member, seed));
    }
    Map<Integer, Signer> signers = new HashMap<>();
    keys.keySet().forEach(member ->
        signers.put(member, new MacSigner(member, keys, algorithm)));
    return signers;
  }

  private static byte[] key(int member, long seed) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(20)
          .putLong(seed).putInt(member).put("mac!".getBytes(StandardCharsets.US_ASCII)).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private record MacSigner(int self, Map<Integer, byte[]> keys, String algorithm)
      implements Signer {
    @Override
    public byte[] sign(byte[] data) {
      return mac(keys.get(self), data);
    }

    @Override
    public boolean verify(int node, byte[] data, byte[] signature) {
      byte[] key = keys.get(node);
      return key != null && signature != null && data != null
          && MessageDigest.isEqual(mac(key, data), signature);
    }

    private byte[] mac(byte[] key, byte[] data) {
      try {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK has no " + algorithm, e);
      }
    }
  }
}
