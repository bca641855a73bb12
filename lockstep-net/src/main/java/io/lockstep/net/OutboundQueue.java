package io.lockstep.net;

import io.netty.channel.Channel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bounded queue of payloads for one destination, drained onto its current open channel.
 *
 * <p>Why not {@code channel.writeAndFlush} per message: a flush is a syscall, and a Raft leader
 * sends many small messages per turn of its loop. {@link #offer} only enqueues; the first offer
 * into an idle queue schedules one drain task on the channel's event loop, which writes everything
 * queued and flushes once (X3 batching: many messages share a syscall). {@code offer} never
 * blocks: when the queue is full, or the socket has stopped accepting bytes long enough to fill
 * it, it returns false and counts {@link RejectReason#QUEUE_FULL} — Raft tolerates lost messages,
 * and a client learns that it must back off.
 */
final class OutboundQueue {
  /** Frames written per drain task before yielding the event loop to other channels. */
  private static final int DRAIN_BUDGET = 1024;

  private final String destination;
  private final int capacity;
  private final long maxBytes;
  private final Rejections rejections;
  private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicReference<Channel> channel = new AtomicReference<>();

  OutboundQueue(String destination, NetOptions options, Rejections rejections) {
    this.destination = destination;
    this.capacity = options.queueCapacity();
    this.maxBytes = options.maxQueuedBytes();
    this.rejections = rejections;
  }

  /** Enqueues a payload; false (and counted) when the queue is full. Callable from any thread. */
  boolean offer(byte[] payload) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      rejections.count(RejectReason.QUEUE_FULL,
          "queue to " + destination + " holds " + capacity + " messages; dropped one");
      return false;
    }
    if (bytes.addAndGet(payload.length) > maxBytes) {
      bytes.addAndGet(-payload.length);
      size.decrementAndGet();
      rejections.count(RejectReason.QUEUE_FULL,
          "queue to " + destination + " holds " + maxBytes + " bytes; dropped one");
      return false;
    }
    queue.offer(payload);
    scheduleDrain();
    return true;
  }

  /** Messages waiting. */
  int size() {
    return size.get();
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
    while (queue.poll() != null) {
      size.decrementAndGet();
    }
    bytes.set(0);
  }

  private void scheduleDrain() {
    Channel open = channel.get();
    if (open != null && !queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
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
      byte[] payload = queue.poll();
      if (payload == null) {
        break;
      }
      size.decrementAndGet();
      bytes.addAndGet(-payload.length);
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
}
