package io.lockstep.net;

/**
 * Receives the frames of client connections, on either end ({@link FrameServer} or
 * {@link FrameClient}).
 *
 * <p>Every method runs on a Netty I/O thread and must not block: hand work to another thread
 * (one loop thread owns the replica). Frames of one connection arrive in the order the other end
 * sent them; many requests may be in flight on one connection, and matching replies to requests (by
 * client id and sequence number) is the codec's job, not the transport's. An exception thrown here
 * is logged and counted as {@link RejectReason#HANDLER_ERROR}.
 */
public interface FrameHandler {
  /** A payload arrived on {@code connection}. */
  void onFrame(FrameConnection connection, byte[] payload);

  /** The connection finished its handshake and can send. */
  default void onOpen(FrameConnection connection) {}

  /** The connection closed (by either side, or because it broke a rule). */
  default void onClose(FrameConnection connection) {}
}
