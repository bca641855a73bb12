package io.lockstep.replica;

import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to a read-only request served by one replica alone from its current state (paper §3
 * relaxation, fail-stop only): possibly stale, never ahead of what the order made stable.
 *
 * @param ok true when the query ran
 * @param behind when refused: only because this replica had not applied the position the caller
 *     asked for, so another replica, or this one a little later, may answer (a retry is worth
 *     it); false for a refusal no retry changes (the failure model, the machine's rejection)
 * @param value its output when ok, empty otherwise
 * @param reason why it was refused when not ok, empty otherwise
 * @param position the position the replica had applied when it answered: the answer reflects
 *     exactly the stable requests up to it, so a caller can tell how stale it is
 */
public record LocalRead(boolean ok, boolean behind, byte[] value, String reason,
    long position) {
  public LocalRead {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
    if (ok && behind) {
      throw new IllegalArgumentException("a read that answered is not behind");
    }
  }

  static LocalRead ok(byte[] value, long position) {
    return new LocalRead(true, false, value, "", position);
  }

  static LocalRead refused(String reason, long position) {
    return new LocalRead(false, false, new byte[0], reason, position);
  }

  static LocalRead behind(String reason, long position) {
    return new LocalRead(false, true, new byte[0], reason, position);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LocalRead r && ok == r.ok && behind == r.behind && Arrays.equals(value, r.value)
        && reason.equals(r.reason) && position == r.position;
  }

  @Override
  public int hashCode() {
    return Objects.hash(ok, behind, Arrays.hashCode(value), reason, position);
  }

  @Override
  public String toString() {
    return ok ? "LocalRead[ok, " + value.length + " bytes at position " + position + "]"
        : "LocalRead[" + (behind ? "behind: " : "refused: ") + reason + " at position "
            + position + "]";
  }
}
