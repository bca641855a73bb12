package io.lockstep.redis;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * What one connection queued between {@code MULTI} and {@code EXEC}: the operations, whether a
 * command failed to queue (then EXEC answers EXECABORT, as Redis does since 2.6.5), and the
 * size of the {@link RedisOp.Multi} they would make once encoded. Confined to the connection's
 * I/O thread, like its {@link ClientSession}.
 *
 * <p>Memory is bounded: once the encoding would exceed {@link Request#MAX_COMMAND_BYTES} (the
 * largest command the order accepts), the operations are dropped and only the size is kept, so
 * a client cannot grow the queue without limit; EXEC then refuses the transaction.
 */
final class Transaction {
  private final List<RedisOp> queued = new ArrayList<>();
  private long encodedBytes = RedisOpCodec.MULTI_HEADER_BYTES;
  private boolean failed;

  /** Queues {@code op}, whose own encoding is {@code encodedLength} bytes. */
  void queue(RedisOp op, int encodedLength) {
    encodedBytes += 4L + encodedLength;
    if (tooLarge()) {
      queued.clear();
    } else {
      queued.add(op);
    }
  }

  /** A command was refused while queuing: EXEC must discard the transaction. */
  void fail() {
    failed = true;
  }

  boolean failed() {
    return failed;
  }

  /** True once the queued operations would encode to more than the order accepts. */
  boolean tooLarge() {
    return encodedBytes > Request.MAX_COMMAND_BYTES;
  }

  /** The encoded size of the transaction so far. */
  long encodedBytes() {
    return encodedBytes;
  }

  /** The queued operations, in order (empty once {@link #tooLarge()}). */
  List<RedisOp> queued() {
    return List.copyOf(queued);
  }
}
