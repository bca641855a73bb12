package io.lockstep.machine;

import java.util.Optional;

/**
 * Per-client authorization (paper §5.2, defensive programming): decides, before a command runs,
 * whether its issuer may run it. Must be deterministic; it sees only the caller and the command.
 */
@FunctionalInterface
public interface Authorizer {
  /** Allows everything. */
  Authorizer ALLOW_ALL = (client, command) -> Optional.empty();

  /** Returns a reason to refuse, or empty to allow. */
  Optional<String> refuse(ClientId client, byte[] command);
}
