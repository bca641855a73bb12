package io.lockstep.net;

import java.util.Objects;

/**
 * Decides whether a remote hello names someone this endpoint talks to, and with which secret.
 * Role, cluster and auth mode are checked by {@link SecureSession} before this is asked.
 */
@FunctionalInterface
interface Admission {
  /** The verdict on {@code remote}. */
  Verdict admit(Hello remote);

  /** Admit or refuse. */
  sealed interface Verdict permits Admit, Refuse {}

  /**
   * Admit; prove and MAC with {@code secret}, or run unauthenticated when it is null (only when
   * both hellos said so).
   */
  record Admit(byte[] secret) implements Verdict {}

  /** Refuse with a counted reason. */
  record Refuse(RejectReason reason, String detail) implements Verdict {
    public Refuse {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
