package io.lockstep.replica;

import java.util.Objects;

/**
 * A state digest (hex SHA-256 of the executor snapshot) at an applied position: correct
 * replicas record equal digests at equal positions, so comparing them detects divergence (S1).
 *
 * @param position the executor's applied position when the digest was taken
 * @param digest hex SHA-256 of the executor's snapshot at that position
 */
public record Checkpoint(long position, String digest) {
  public Checkpoint {
    Objects.requireNonNull(digest, "digest");
  }
}
