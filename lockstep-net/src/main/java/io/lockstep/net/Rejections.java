package io.lockstep.net;

import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, logs and acts on a rejection. Logging is rate-limited per reason (one line a second,
 * with the number suppressed), so that a flood of garbage costs a counter increment rather than
 * filling a disk with log lines.
 */
final class Rejections {
  private static final System.Logger LOG = System.getLogger("io.lockstep.net");
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String endpoint;
  private final NetStats stats;
  private final EnumMap<RejectReason, AtomicLong> lastLogged = new EnumMap<>(RejectReason.class);
  private final EnumMap<RejectReason, AtomicLong> suppressed = new EnumMap<>(RejectReason.class);

  Rejections(String endpoint, NetStats stats) {
    this.endpoint = endpoint;
    this.stats = stats;
    for (RejectReason reason : RejectReason.values()) {
      lastLogged.put(reason, new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS));
      suppressed.put(reason, new AtomicLong());
    }
  }

  NetStats stats() {
    return stats;
  }

  /** Counts and logs the reason, then closes the connection. */
  void close(Channel channel, RejectReason reason, String detail) {
    count(reason, "closing connection with " + channel.remoteAddress() + ": " + detail);
    channel.close();
  }

  /** Counts and logs a reason that does not close anything (e.g. a full queue). */
  void count(RejectReason reason, String detail) {
    stats.reject(reason);
    long now = System.nanoTime();
    AtomicLong last = lastLogged.get(reason);
    long previous = last.get();
    if (now - previous < LOG_INTERVAL_NANOS || !last.compareAndSet(previous, now)) {
      suppressed.get(reason).incrementAndGet();
      return;
    }
    long skipped = suppressed.get(reason).getAndSet(0);
    LOG.log(level(reason), "{0}: {1} {2}{3}", endpoint, reason, detail,
        skipped == 0 ? "" : " (" + skipped + " more in the last second)");
  }

  /** Logs an ordinary event (a peer that is down) for debugging; counts nothing. */
  void note(String detail) {
    LOG.log(Level.DEBUG, "{0}: {1}", endpoint, detail);
  }

  /** The application's callback threw: a bug in the caller, logged with its stack trace. */
  void handlerError(RuntimeException e) {
    stats.reject(RejectReason.HANDLER_ERROR);
    LOG.log(Level.ERROR, endpoint + ": the application's handler threw; frame dropped", e);
  }

  /** Resets, refusals and full queues are normal events; protocol violations deserve a warning. */
  private static Level level(RejectReason reason) {
    return switch (reason) {
      case IO_ERROR, QUEUE_FULL -> Level.DEBUG;
      case HANDLER_ERROR -> Level.ERROR;
      default -> Level.WARNING;
    };
  }
}
