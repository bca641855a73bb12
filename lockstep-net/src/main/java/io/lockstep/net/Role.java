package io.lockstep.net;

/**
 * What a connection is for. The role is part of the handshake transcript, so a proof made for a
 * client connection can never pass as a replica's, even if someone reused a secret.
 */
enum Role {
  /** Replica to replica ({@link PeerNetwork}). */
  PEER(1),
  /** Client to replica ({@link FrameClient} to {@link FrameServer}). */
  CLIENT(2);

  private final int code;

  Role(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }

  static Role ofCode(int code) {
    return switch (code) {
      case 1 -> PEER;
      case 2 -> CLIENT;
      default -> throw new IllegalArgumentException("unknown role " + code);
    };
  }
}
