package io.lockstep.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * One key-authenticated connection's key for request authenticators: a client hands a request
 * to one replica with one tag per replica (Castro and Liskov's MAC authenticator), each made with
 * the key of its connection to that replica, and a replica that receives the request from
 * another replica checks its own tag. Only the two ends of the connection know the key (it is
 * derived from the handshake's X25519 secret and transcript, beside the frame keys), so a tag
 * that matches proves the client sent those bytes to this replica's session; a relaying replica
 * can drop or spoil tags but not make them.
 *
 * <p>A tag is HMAC-SHA256 over a label and the bytes, truncated to 16 bytes as frame tags are.
 * Safe to use from any thread (one Mac, guarded by this object).
 */
public final class AuthenticatorKey {
  /** Bytes of a tag. */
  public static final int TAG_BYTES = FrameMac.TAG_BYTES;
  private static final byte[] LABEL =
      "lockstep request authenticator v1".getBytes(StandardCharsets.US_ASCII);

  private final Mac mac;

  AuthenticatorKey(byte[] key) {
    this.mac = HandshakeCrypto.newMac(key);
  }

  /** The tag of {@code bytes}. */
  public byte[] tag(byte[] bytes) {
    byte[] full;
    synchronized (mac) {
      mac.update(LABEL);
      mac.update(bytes);
      full = mac.doFinal();
    }
    return Arrays.copyOf(full, TAG_BYTES);
  }

  /** Whether {@code tag} is the tag of {@code bytes} (compared in constant time). */
  public boolean matches(byte[] bytes, byte[] tag) {
    return tag != null && tag.length == TAG_BYTES && HandshakeCrypto.matches(tag(bytes), tag);
  }
}
