package io.lockstep.redis;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters one {@link RedisServer} shares between its connections (updated on I/O threads). */
final class ServerCounters {
  final AtomicInteger connected = new AtomicInteger();
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong protocolErrors = new AtomicLong();
  final AtomicLong commands = new AtomicLong();
  final AtomicLong readPauses = new AtomicLong();
  /** Bytes of commands received and not yet answered, over every connection. */
  final AtomicLong outstandingBytes = new AtomicLong();
  final AtomicLong bytePauses = new AtomicLong();
  final AtomicLong replyPauses = new AtomicLong();
  final AtomicLong slowReadersClosed = new AtomicLong();

  RedisServer.Stats snapshot() {
    return new RedisServer.Stats(connected.get(), accepted.get(), refused.get(),
        protocolErrors.get(), commands.get(), readPauses.get(), outstandingBytes.get(),
        bytePauses.get(), replyPauses.get(), slowReadersClosed.get());
  }
}
