package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
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

  /** The digest of a captured state, labelled with its position; streams the whole state. */
  public static Checkpoint of(CapturedSnapshot captured) {
    return new Checkpoint(captured.position(), captured.digest());
  }
}
