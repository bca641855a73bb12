package io.lockstep.storage.codec;

/**
 * Bytes that do not decode: truncated, out of bounds, of an unknown version or kind, or carrying
 * a value the domain types reject. The message names the field and the byte offset.
 *
 * <p>Unchecked so that decoders compose; callers reading untrusted bytes (the network layer) or
 * checksummed files (stable storage) catch it at their boundary and drop the frame with the
 * reason, or report corruption.
 */
public final class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was wrong and where. */
  public CodecException(String message) {
    super(message);
  }

  /** Creates the exception with the domain type's complaint as cause. */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
