package io.lockstep.configuration;

import java.util.Objects;

/**
 * A change that was ordered and waits for its stated position.
 *
 * @param orderedAt the position of the system command that asked for it
 * @param at the stated position: the change applies before the first request at or after it
 * @param command the change
 */
public record PendingChange(long orderedAt, long at, SystemCommand command) {
  public PendingChange {
    Objects.requireNonNull(command, "command");
    if (orderedAt < 1 || at <= orderedAt) {
      throw new IllegalArgumentException("a change ordered at " + orderedAt
          + " cannot take effect at " + at);
    }
  }
}
