package io.lockstep.net;

import java.util.Arrays;
import javax.crypto.Mac;

/**
 * The MAC of one direction of an authenticated connection: HMAC-SHA256 with the per-connection key
 * over an implicit sequence number and the body, truncated to 16 bytes (128 bits, as RFC 4868 does
 * for HMAC-SHA-256-128).
 *
 * <p>The sequence number is never sent: sender and receiver count data frames. TCP delivers in
 * order, so any frame that is dropped, duplicated, reordered, replayed or injected makes the
 * receiver's count disagree with the sender's and the MAC fail. Confined to the channel's event
 * loop thread (Mac is not thread-safe).
 */
final class FrameMac {
  static final int TAG_BYTES = 16;

  private final Mac mac;
  private final byte[] sequenceBytes = new byte[8];
  private long sequence;

  FrameMac(byte[] key) {
    this.mac = HandshakeCrypto.newMac(key);
  }

  /** The tag for the next frame's body; advances the sequence. */
  byte[] tag(byte[] body) {
    return Arrays.copyOf(compute(body, 0, body.length), TAG_BYTES);
  }

  /**
   * Checks that {@code payload} is a body followed by the right tag for the next frame; advances
   * the sequence either way (a connection whose MAC failed is closed, so the count no longer
   * matters).
   */
  boolean verify(byte[] payload) {
    if (payload.length < TAG_BYTES) {
      sequence++;
      return false;
    }
    int bodyLength = payload.length - TAG_BYTES;
    byte[] expected = Arrays.copyOf(compute(payload, 0, bodyLength), TAG_BYTES);
    byte[] actual = Arrays.copyOfRange(payload, bodyLength, payload.length);
    return HandshakeCrypto.matches(expected, actual);
  }

  private byte[] compute(byte[] bytes, int offset, int length) {
    long s = sequence++;
    for (int i = 7; i >= 0; i--) {
      sequenceBytes[i] = (byte) s;
      s >>>= 8;
    }
    mac.update(sequenceBytes);
    mac.update(bytes, offset, length);
    return mac.doFinal();
  }
}
