package io.lockstep.server.config;

/**
 * Byte budgets at the client edges, so that memory stays bounded however clients behave
 * (pipelines of huge values, slow readers, a leader that stops answering). When a budget is
 * full the client is slowed (its socket is not read) or gets a retryable "busy" answer (Redis
 * {@code -BUSY}, the Java client retries); never an OutOfMemoryError or a silent drop.
 *
 * @param loopQueueBytes bytes of client requests and reads waiting in the loop's queue (sum of
 *     command sizes plus a fixed overhead each); past it questions are answered busy. Key
 *     {@code runtime.loop-queue-bytes}, default 256 MiB
 * @param clientConnectionBytes bytes of one client-port connection's questions waiting for the
 *     loop; past it that connection's questions are answered busy. A follower's forwarder
 *     is one such connection carrying all its Redis clients. Key
 *     {@code runtime.client-connection-bytes}, default 64 MiB
 * @param redisConnectionBytes bytes of one Redis connection's commands received but not yet
 *     answered; past it the replica stops reading that socket until half are answered (TCP
 *     back-pressure, as for {@code maxPipelined}). Key {@code redis.connection-bytes}, default
 *     16 MiB
 * @param redisTotalBytes the same summed over all Redis connections; past it, every connection
 *     with commands outstanding stops being read until its own are answered. Key
 *     {@code redis.total-bytes}, default 512 MiB
 * @param redisReplyBytes reply bytes queued to one Redis connection that does not read them;
 *     the connection stops being read well before (when its socket buffer backs up), and one
 *     that still accumulates this much is closed, with a logged reason (as Redis's
 *     {@code client-output-buffer-limit}). Key {@code redis.reply-buffer-bytes}, default 256 MiB
 *     (above the largest single reply, 64 MiB)
 */
public record ClientBudgets(long loopQueueBytes, long clientConnectionBytes,
    long redisConnectionBytes, long redisTotalBytes, long redisReplyBytes) {
  /** The defaults listed above. */
  public static final ClientBudgets DEFAULTS =
      new ClientBudgets(256L << 20, 64L << 20, 16L << 20, 512L << 20, 256L << 20);

  /** Smallest budget accepted: one small command and its overhead. */
  public static final long MIN_BYTES = 4096;

  public ClientBudgets {
    check("loopQueueBytes", loopQueueBytes);
    check("clientConnectionBytes", clientConnectionBytes);
    check("redisConnectionBytes", redisConnectionBytes);
    check("redisTotalBytes", redisTotalBytes);
    check("redisReplyBytes", redisReplyBytes);
  }

  private static void check(String name, long value) {
    if (value < MIN_BYTES) {
      throw new IllegalArgumentException(name + " must be at least " + MIN_BYTES + " bytes, was "
          + value);
    }
  }
}
