package io.lockstep.redis;

import java.util.Objects;

/**
 * What {@link RespDecoder} emits, in stream order, when a client breaks the protocol: the
 * handler answers {@code -ERR Protocol error: <reason>} after the replies to the commands that
 * came before, then closes the connection, as Redis does. The decoder discards everything after
 * it.
 *
 * @param reason Redis's wording where Redis has one, e.g. {@code invalid bulk length}
 */
public record RespProtocolError(String reason) {
  public RespProtocolError {
    Objects.requireNonNull(reason, "reason");
  }

  /** The error line's text, without the leading {@code -}. */
  public String message() {
    return "ERR Protocol error: " + reason;
  }
}
