package io.lockstep.redis;

/**
 * Bounds on what one client may send in one command, checked by {@link RespDecoder} before it
 * buffers the bytes, so one connection cannot exhaust a replica's memory (bad input gets a clear
 * error and changes nothing).
 *
 * <p>Redis allows bulk strings up to 512 MiB; Lockstep replicates every write through a log whose
 * entries are at most {@link io.lockstep.request.Request#MAX_COMMAND_BYTES}, so the default bulk
 * limit is 1 MiB. A command may carry several bulks (MGET of many keys) and so gets a larger
 * total; writes whose encoding does not fit a log entry are refused later with a clear error.
 *
 * @param maxArgs most arguments in one command (the RESP array length)
 * @param maxBulkBytes longest single argument
 * @param maxInlineBytes longest inline command line, and longest {@code *} or {@code $} header
 * @param maxCommandBytes most argument bytes in one command, summed over its arguments
 */
public record RespLimits(int maxArgs, int maxBulkBytes, int maxInlineBytes, int maxCommandBytes) {
  /** Redis's own limit for inline requests and header lines (PROTO_INLINE_MAX_SIZE). */
  public static final int REDIS_INLINE_MAX = 64 * 1024;

  /** 64 Ki arguments, 1 MiB per argument, 64 KiB inline lines, 2 MiB per command. */
  public static final RespLimits DEFAULTS =
      new RespLimits(64 * 1024, 1 << 20, REDIS_INLINE_MAX, 2 << 20);

  public RespLimits {
    if (maxArgs < 1) {
      throw new IllegalArgumentException("maxArgs must be at least 1, was " + maxArgs);
    }
    if (maxBulkBytes < 1) {
      throw new IllegalArgumentException("maxBulkBytes must be at least 1, was " + maxBulkBytes);
    }
    if (maxInlineBytes < 16) {
      throw new IllegalArgumentException(
          "maxInlineBytes must be at least 16, was " + maxInlineBytes);
    }
    if (maxCommandBytes < maxBulkBytes) {
      throw new IllegalArgumentException("maxCommandBytes (" + maxCommandBytes
          + ") must be at least maxBulkBytes (" + maxBulkBytes + ")");
    }
  }
}
