package io.lockstep.net;

import java.security.PublicKey;
import java.util.Objects;

/**
 * Decides whether a remote hello names someone this endpoint talks to, and with which
 * credentials. Role, cluster and auth mode are checked by {@link SecureSession} before this is
 * asked.
 */
@FunctionalInterface
interface Admission {
  /** The verdict on {@code remote}. */
  Verdict admit(Hello remote);

  /** Admit or refuse. */
  sealed interface Verdict permits Admit, Refuse {}

  /**
   * Admit, with what the remote must prove: {@code secret} for a secret-mode connection, or
   * {@code remoteKey} (its Ed25519 public key) for a key-mode one. Either may be null when this
   * endpoint has none for the remote; the session then refuses the mode that needs it. Both
   * null and an unauthenticated connection (only when both hellos said so) runs without proofs.
   */
  record Admit(byte[] secret, PublicKey remoteKey) implements Verdict {
    Admit(byte[] secret) {
      this(secret, null);
    }
  }

  /** Refuse with a counted reason. */
  record Refuse(RejectReason reason, String detail) implements Verdict {
    public Refuse {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
