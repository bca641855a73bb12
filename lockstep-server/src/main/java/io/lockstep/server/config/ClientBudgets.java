package io.lockstep.server.config;

/**
 * Byte budgets at the replica's edges, so that memory stays bounded however clients and peers
 * behave (pipelines of huge values, slow readers, a leader that stops answering, a paused
 * follower). When a client budget is full the client is slowed (its socket is not read) or gets
 * a retryable "busy" answer (Redis {@code -BUSY}, the Java client retries); never an
 * OutOfMemoryError or a silent drop. When a peer's queue is full, messages the protocol resends
 * (Raft's AppendEntries) are dropped, oldest first, and counted.
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
 * @param peerQueueBytes payload bytes queued to one peer and not yet written to its socket
 *     (a paused or slow peer); past it the oldest messages the protocol resends are dropped,
 *     then new ones refused (one message always fits into an empty queue). Key
 *     {@code runtime.peer-queue-bytes}; by default {@link #FROM_HEAP}: {@link #peerQueueBytesFor}
 *     the heap of the replica's own JVM (not of whichever process parsed the file)
 */
public record ClientBudgets(long loopQueueBytes, long clientConnectionBytes,
    long redisConnectionBytes, long redisTotalBytes, long redisReplyBytes, long peerQueueBytes) {
  /** Smallest budget accepted: one small command and its overhead. */
  public static final long MIN_BYTES = 4096;

  /** {@link #peerQueueBytes} when not configured: follow the replica's heap. */
  public static final long FROM_HEAP = 0;

  /** The defaults listed above. */
  public static final ClientBudgets DEFAULTS = new ClientBudgets(256L << 20, 64L << 20,
      16L << 20, 512L << 20, 256L << 20);

  /** The client budgets given; the peer queues' follows the heap. */
  public ClientBudgets(long loopQueueBytes, long clientConnectionBytes, long redisConnectionBytes,
      long redisTotalBytes, long redisReplyBytes) {
    this(loopQueueBytes, clientConnectionBytes, redisConnectionBytes, redisTotalBytes,
        redisReplyBytes, FROM_HEAP);
  }

  public ClientBudgets {
    if (peerQueueBytes != FROM_HEAP) {
      check("peerQueueBytes", peerQueueBytes);
    }
    check("loopQueueBytes", loopQueueBytes);
    check("clientConnectionBytes", clientConnectionBytes);
    check("redisConnectionBytes", redisConnectionBytes);
    check("redisTotalBytes", redisTotalBytes);
    check("redisReplyBytes", redisReplyBytes);
  }

  /**
   * The default byte bound of each peer's queue for a heap of {@code maxHeapBytes}: a
   * sixteenth of it, between 1 and 64 MiB. A Raft leader keeps up to 64 AppendEntries in flight
   * per follower, each up to a MiB, so without a byte bound a paused follower's queue could hold
   * 64 MiB of encoded copies of entries, most of a small heap; a sixteenth per peer leaves a
   * five-replica cluster's leader at most a quarter of its heap in queues, and 64 MiB is as much
   * as a full window, so large heaps keep today's behaviour.
   */
  public static long peerQueueBytesFor(long maxHeapBytes) {
    if (maxHeapBytes == Long.MAX_VALUE) {
      return 64L << 20; // the JVM has no heap limit
    }
    if (maxHeapBytes <= 0) {
      throw new IllegalArgumentException("heap must be positive, was " + maxHeapBytes);
    }
    return Math.max(1L << 20, Math.min(64L << 20, maxHeapBytes / 16));
  }

  /** The peer queues' bound for a replica whose heap is {@code maxHeapBytes}. */
  public long peerQueueBytes(long maxHeapBytes) {
    return peerQueueBytes == FROM_HEAP ? peerQueueBytesFor(maxHeapBytes) : peerQueueBytes;
  }

  private static void check(String name, long value) {
    if (value < MIN_BYTES) {
      throw new IllegalArgumentException(name + " must be at least " + MIN_BYTES + " bytes, was "
          + value);
    }
  }
}
