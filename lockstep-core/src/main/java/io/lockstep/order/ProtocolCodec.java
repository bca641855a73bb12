package io.lockstep.order;

import io.lockstep.identity.SignatureClaim;
import java.util.List;

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

  /**
   * The signatures the protocol's core will check when it steps {@code message}, received from
   * replica {@code from} (the authenticated channel's id), so the runtime can verify them on
   * other threads first (the design's rule: Byzantine mode verifies signatures off the loop
   * thread). Called on I/O threads: it must be pure and thread-safe. The answer only moves
   * work: a claim left out is verified by the core inline, and a claim the core does not check
   * costs one wasted verification, never a wrong decision. The default, for protocols that
   * sign nothing, is none.
   */
  default List<SignatureClaim> signatures(int from, ProtocolMessage message) {
    return List.of();
  }

  /**
   * Signatures in {@code message} that the core checks only later than the step that receives
   * it: clients' signatures over requests inside a value that is decided rounds afterwards. The
   * runtime verifies them on other threads too, but without holding the message back for them
   * (an order on synchronized rounds must see the message in the round it arrives), so the core
   * finds the verdict if it is ready by then and verifies inline if not. Called on I/O threads:
   * pure and thread-safe; only moves work, as {@link #signatures}. The default is none.
   */
  default List<SignatureClaim> signaturesCheckedLater(int from, ProtocolMessage message) {
    return List.of();
  }
}
