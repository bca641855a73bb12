package io.lockstep.net;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A queue of payloads for one destination, bounded in messages and in bytes, drained onto its
 * current open channel.
 *
 * <p>Why not {@code channel.writeAndFlush} per message: a flush is a syscall, and a Raft leader
 * sends many small messages per turn of its loop. {@link #offer} only enqueues; the first offer
 * into an idle queue schedules one drain task on the channel's event loop, which writes everything
 * queued and flushes once (X3 batching: many messages share a syscall). {@code offer} never
 * blocks.
 *
 * <p>When a payload does not fit (the destination is paused, down or slower than its sender),
 * the queue first drops the oldest payloads offered as <em>resendable</em> (the sender repeats
 * them anyway, as a Raft leader repeats AppendEntries), counting each as
 * {@link RejectReason#QUEUE_EVICTED}, until it fits; only if that is not enough is the new
 * payload refused ({@code false}, counted as {@link RejectReason#QUEUE_FULL}). Oldest first,
 * because the newest resendable message says the most (a later heartbeat carries a later
 * commit index). One payload always fits into an empty queue, so a message larger than the
 * byte bound (a protocol's whole-state message) is slow, never refused for ever.
 *
 * <p>On an accepted connection ({@link #pausingReads}) the queue also pushes back on the other
 * end: once it holds more than half its bounds, the channel stops reading (Netty's autoRead
 * off), so a client that sends questions but does not read its answers is slowed by TCP rather
 * than having answers refused; reading resumes when the queue is down to a quarter. Only the
 * accepting side does this: if both ends of a connection stopped reading while their queues
 * were full, neither queue would ever drain.
 */
final class OutboundQueue {
  /** Frames written per drain task before yielding the event loop to other channels. */
  private static final int DRAIN_BUDGET = 1024;

  /** A queued payload, and whether its sender resends it if it is dropped. */
  private record Queued(byte[] payload, boolean resendable) {}

  private final String destination;
  private final int capacity;
  private final long maxBytes;
  private final Rejections rejections;
  /** Guarded by itself: offers come from the sender's threads, drains from the event loop. */
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private long bytes;
  /**
   * How many of the queued payloads are resendable, and their bytes: whether dropping them all
   * would make room is then known without a scan. A full queue to a slow peer otherwise walked
   * every queued payload on each refused offer, on the sender's thread (the replica's loop).
   */
  private int resendableCount;
  private long resendableBytes;
  private boolean pauseReads;
  private boolean readsPaused;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicReference<Channel> channel = new AtomicReference<>();

  OutboundQueue(String destination, NetOptions options, Rejections rejections) {
    this.destination = destination;
    this.capacity = options.queueCapacity();
    this.maxBytes = options.maxQueuedBytes();
    this.rejections = rejections;
  }

  /** From now on, stops reading the channel while the queue is over half full (see above). */
  OutboundQueue pausingReads() {
    synchronized (queue) {
      pauseReads = true;
    }
    return this;
  }

  /** Enqueues a payload nobody resends; false (and counted) when it does not fit. */
  boolean offer(byte[] payload) {
    return offer(payload, false);
  }

  /**
   * Enqueues a payload, making room by dropping the oldest resendable ones if needed; false (and
   * counted) when it still does not fit. Callable from any thread.
   */
  boolean offer(byte[] payload, boolean resendable) {
    int evicted;
    synchronized (queue) {
      evicted = makeRoom(payload.length);
      if (!fits(payload.length)) {
        refused(payload.length, evicted);
        return false;
      }
      queue.addLast(new Queued(payload, resendable));
      bytes += payload.length;
      if (resendable) {
        resendableCount++;
        resendableBytes += payload.length;
      }
      if (pauseReads && !readsPaused && over(2)) {
        readsPaused = true;
        autoRead(false);
      }
    }
    countEvicted(evicted);
    scheduleDrain();
    return true;
  }

  /** Whether the queue holds more than 1/{@code fraction} of either of its bounds. */
  private boolean over(int fraction) {
    return queue.size() > capacity / fraction || bytes > maxBytes / fraction;
  }

  /** Starts or stops reading the current channel (thread-safe in Netty). */
  private void autoRead(boolean on) {
    rejections.stats().readPaused(!on);
    Channel open = channel.get();
    if (open != null) {
      open.config().setAutoRead(on);
    }
  }

  private boolean fits(int length) {
    return queue.isEmpty() || (queue.size() < capacity && bytes + length <= maxBytes);
  }

  /**
   * Drops the oldest resendable payloads until {@code length} more bytes fit; how many. Drops
   * none when even dropping every resendable one would not make room: the new payload is then
   * refused, and dropping others as well would only lose more.
   */
  private int makeRoom(int length) {
    if (fits(length) || !fitsAfterDropping(length)) {
      return 0;
    }
    int evicted = 0;
    Iterator<Queued> it = queue.iterator();
    while (!fits(length) && it.hasNext()) {
      Queued q = it.next();
      if (q.resendable()) {
        it.remove();
        removed(q);
        evicted++;
      }
    }
    return evicted;
  }

  /**
   * Whether {@code length} more bytes would fit once the resendable payloads are gone. Dropping
   * only shrinks the queue, so if dropping some oldest ones makes room, dropping all does too.
   */
  private boolean fitsAfterDropping(int length) {
    int count = queue.size() - resendableCount;
    long left = bytes - resendableBytes;
    return count == 0 || (count < capacity && left + length <= maxBytes);
  }

  /** Takes a payload that left the queue out of its counts. */
  private void removed(Queued q) {
    bytes -= q.payload().length;
    if (q.resendable()) {
      resendableCount--;
      resendableBytes -= q.payload().length;
    }
  }

  private void refused(int length, int evicted) {
    countEvicted(evicted);
    rejections.count(RejectReason.QUEUE_FULL, "queue to " + destination + " holds "
        + queue.size() + " of " + capacity + " messages and " + bytes + " of " + maxBytes
        + " bytes; refused one of " + length + " bytes");
  }

  private void countEvicted(int evicted) {
    for (int i = 0; i < evicted; i++) {
      rejections.count(RejectReason.QUEUE_EVICTED, "queue to " + destination + " over "
          + maxBytes + " bytes or " + capacity + " messages; dropped its oldest resendable one");
    }
  }

  /** Messages waiting. */
  int size() {
    synchronized (queue) {
      return queue.size();
    }
  }

  /** Payload bytes waiting. */
  long bytes() {
    synchronized (queue) {
      return bytes;
    }
  }

  /** Starts draining onto a newly opened channel. */
  void attach(Channel open) {
    channel.set(open);
    scheduleDrain();
  }

  /** Stops using a channel that closed (unless another has replaced it already). */
  void detach(Channel closed) {
    channel.compareAndSet(closed, null);
  }

  /** The socket accepts bytes again: resume draining. */
  void onWritable() {
    scheduleDrain();
  }

  /** Drops everything queued (the endpoint is closing). */
  void clear() {
    synchronized (queue) {
      queue.clear();
      bytes = 0;
      resendableCount = 0;
      resendableBytes = 0;
      if (readsPaused) { // the channel is closing: only the count of paused ones changes
        readsPaused = false;
        rejections.stats().readPaused(false);
      }
    }
  }

  private void scheduleDrain() {
    Channel open = channel.get();
    if (open != null && size() > 0 && drainScheduled.compareAndSet(false, true)) {
      open.eventLoop().execute(() -> drain(open));
    }
  }

  private void drain(Channel open) {
    drainScheduled.set(false);
    if (channel.get() != open) {
      scheduleDrain();
      return;
    }
    int written = 0;
    while (written < DRAIN_BUDGET && open.isActive() && open.isWritable()) {
      byte[] payload = poll();
      if (payload == null) {
        break;
      }
      open.write(payload, open.voidPromise());
      written++;
    }
    if (written > 0) {
      open.flush();
      rejections.stats().sent(written);
    }
    if (open.isWritable()) {
      scheduleDrain();
    }
  }

  private byte[] poll() {
    synchronized (queue) {
      Queued q = queue.pollFirst();
      if (q == null) {
        return null;
      }
      removed(q);
      if (readsPaused && !over(4)) {
        readsPaused = false;
        autoRead(true);
      }
      return q.payload();
    }
  }
}
