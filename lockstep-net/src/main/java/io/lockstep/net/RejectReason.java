package io.lockstep.net;

/**
 * Why the transport closed a connection or dropped a message. Each is counted in {@link NetStats}
 * and logged, so that garbage and attacks are visible to an operator instead of crashing a replica
 * (untrusted input is validated, counted and dropped with a reason, never asserted on).
 */
public enum RejectReason {
  /** The first two bytes of a frame were not the magic number: not a Lockstep peer. */
  BAD_MAGIC,
  /** The frame's version byte is one this build does not speak. */
  BAD_VERSION,
  /** The flags byte named no known frame kind. */
  BAD_FLAGS,
  /** The length field exceeded the configured maximum (rejected before allocating). */
  OVERSIZED,
  /** The CRC32C over header and payload did not match: corruption on the wire. */
  BAD_CHECKSUM,
  /** The connection closed in the middle of a frame. */
  TRUNCATED,
  /** A handshake frame was malformed or arrived out of order. */
  BAD_HANDSHAKE,
  /** The handshake did not finish within the configured timeout. */
  HANDSHAKE_TIMEOUT,
  /** The remote side named another cluster. */
  WRONG_CLUSTER,
  /** The remote side is not a configured peer (or claims to be this node), or an unknown client. */
  UNKNOWN_ID,
  /** The two sides disagree on whether the connection is authenticated, or on its role. */
  AUTH_MISMATCH,
  /** The remote HMAC proof was wrong: it does not know the secret, or replayed a handshake. */
  BAD_PROOF,
  /** A data frame's MAC was wrong: tampered, injected, reordered or replayed. */
  BAD_MAC,
  /** Too many connections were open; the new one was refused. */
  TOO_MANY_CONNECTIONS,
  /** A socket error (reset, broken pipe, …). */
  IO_ERROR,
  /** A bounded outbound queue was full; the message was dropped and the caller told so. */
  QUEUE_FULL,
  /**
   * A message its sender marked as resent if lost (Raft's AppendEntries) was dropped, oldest
   * first, from an outbound queue over its byte budget to make room for a newer one.
   */
  QUEUE_EVICTED,
  /** The application's callback threw; the exception was logged and the frame dropped. */
  HANDLER_ERROR
}
