package io.lockstep.net;

/**
 * What a frame carries, stored in the header's flags byte.
 *
 * <p>The kind does not say whether a data frame carries a MAC: that is fixed by the handshake for
 * the whole connection, so that flipping a flag on the wire cannot downgrade a connection to
 * unauthenticated frames.
 */
public enum FrameKind {
  /** An application payload (after the handshake). */
  DATA(0),
  /** Handshake: the sender's role, cluster, id and nonce. */
  HELLO(1),
  /** Handshake: the sender's HMAC proof that it knows the secret. */
  PROOF(2);

  private final int flags;

  FrameKind(int flags) {
    this.flags = flags;
  }

  /** The value of the header's flags byte for this kind. */
  public int flags() {
    return flags;
  }

  /** The kind for a flags byte, or null when the byte names no kind (reserved bits set). */
  static FrameKind ofFlags(int flags) {
    return switch (flags) {
      case 0 -> DATA;
      case 1 -> HELLO;
      case 2 -> PROOF;
      default -> null;
    };
  }
}
