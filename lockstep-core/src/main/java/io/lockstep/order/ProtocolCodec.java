package io.lockstep.order;

/**
 * The wire form of one protocol's {@link ProtocolMessage}s. The runtime frames, authenticates
 * and delivers the bytes; only the protocol knows what they mean.
 */
public interface ProtocolCodec {
  /**
   * Encodes a message this protocol produced.
   *
   * @throws IllegalArgumentException if {@code message} is not one of this protocol's
   */
  byte[] encode(ProtocolMessage message);

  /**
   * Decodes bytes from another replica. The bytes are untrusted: any {@link RuntimeException}
   * means they are malformed (its message says what and where), and the runtime drops them,
   * counts and logs the reason, and changes nothing.
   */
  ProtocolMessage decode(byte[] payload);
}
