package io.lockstep.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 computations of the handshake (see {@link SecureSession} for the protocol).
 *
 * <p>The transcript is both hellos, as sent, dialer's first: it binds the cluster name, both ids,
 * both nonces, the role and the auth mode. Each side's proof and frame key are HMACs of the secret
 * over a label naming that side followed by the transcript; the labels keep a proof from being
 * reflected back or reused as a key.
 */
final class HandshakeCrypto {
  static final String ALGORITHM = "HmacSHA256";
  static final int PROOF_BYTES = 32;
  private static final byte[] CONTEXT =
      "lockstep-handshake-v1".getBytes(StandardCharsets.US_ASCII);

  private HandshakeCrypto() {}

  /** The bytes both sides authenticate: a context string and both hellos, dialer's first. */
  static byte[] transcript(byte[] dialerHello, byte[] acceptorHello) {
    byte[] out = new byte[CONTEXT.length + 4 + dialerHello.length + acceptorHello.length];
    System.arraycopy(CONTEXT, 0, out, 0, CONTEXT.length);
    int at = CONTEXT.length;
    out[at] = (byte) (dialerHello.length >>> 8);
    out[at + 1] = (byte) dialerHello.length;
    System.arraycopy(dialerHello, 0, out, at + 2, dialerHello.length);
    at += 2 + dialerHello.length;
    out[at] = (byte) (acceptorHello.length >>> 8);
    out[at + 1] = (byte) acceptorHello.length;
    System.arraycopy(acceptorHello, 0, out, at + 2, acceptorHello.length);
    return out;
  }

  /** What {@code side} sends to prove it knows the secret. */
  static byte[] proof(byte[] secret, Side side, byte[] transcript) {
    return hmac(secret, "proof " + side, transcript);
  }

  /** The key that MACs every data frame {@code side} sends on this connection. */
  static byte[] frameKey(byte[] secret, Side side, byte[] transcript) {
    return hmac(secret, "frame key " + side, transcript);
  }

  /**
   * The key of the connection's request authenticators ({@link AuthenticatorKey}): the same on
   * both ends (only the client tags, only the replica checks), apart from both frame keys.
   */
  static byte[] authenticatorKey(byte[] secret, byte[] transcript) {
    return hmac(secret, "authenticator key", transcript);
  }

  /** Compares in constant time, so that timing does not reveal how much of a proof was right. */
  static boolean matches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks " + ALGORITHM + ", which Java SE requires", e);
    }
  }

  private static byte[] hmac(byte[] secret, String label, byte[] transcript) {
    Mac mac = newMac(secret);
    mac.update(label.getBytes(StandardCharsets.US_ASCII));
    mac.update(transcript);
    return mac.doFinal();
  }
}
