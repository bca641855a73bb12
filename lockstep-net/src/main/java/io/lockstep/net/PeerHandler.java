package io.lockstep.net;

/**
 * Receives payloads from other replicas.
 *
 * <p>Called on a Netty I/O thread, in the order the sender sent them over its connection. It must
 * not block: hand the payload to the replica's loop thread (I/O threads decode and enqueue; one
 * loop thread owns the protocol). The payload is already authenticated as coming from {@code from};
 * its content is still untrusted and must be validated by the codec. An exception thrown here is
 * logged and counted as {@link RejectReason#HANDLER_ERROR}; the connection stays.
 */
@FunctionalInterface
public interface PeerHandler {
  /** A payload {@code from} sent, in its send order. */
  void onMessage(int from, byte[] payload);
}
