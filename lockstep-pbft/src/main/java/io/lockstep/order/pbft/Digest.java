package io.lockstep.order.pbft;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A SHA-256 digest: of a batch (what prepares and commits agree on, PBFT §4.2) or of the
 * executor's state at a checkpoint (§4.3). Hashing is deterministic, so protocol code may use it.
 */
public record Digest(byte[] bytes) implements Comparable<Digest> {
  /** Length of a SHA-256 digest. */
  public static final int LENGTH = 32;

  public Digest {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a digest has " + LENGTH + " bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /** SHA-256 of {@code data}. */
  public static Digest of(byte[] data) {
    try {
      return new Digest(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /**
   * SHA-256 of a checkpoint state: the digest its encoder recorded, if it did (the runtime
   * digests a state while writing it), else computed by reading it.
   */
  public static Digest of(io.lockstep.order.SnapshotData state) {
    return new Digest(state.sha256());
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Digest d && Arrays.equals(bytes, d.bytes);
  }

  /**
   * The first four bytes: a SHA-256 output is already uniformly spread, so hashing all 32
   * again (every prepare and commit looks one up) buys nothing.
   */
  @Override
  public int hashCode() {
    return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8
        | (bytes[3] & 0xff);
  }

  @Override
  public int compareTo(Digest other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes, 0, 6);
  }
}
