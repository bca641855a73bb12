package io.lockstep.net;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables shared by every transport endpoint. Start from {@link #defaults()} and change what you
 * need with the {@code with…} methods; every value is validated with a message naming the field.
 *
 * @param maxPayloadBytes largest frame payload accepted or sent (default 4 MiB)
 * @param ioThreads Netty worker threads of the endpoint (default 2, or 1 on a 1-core machine)
 * @param queueCapacity messages an outbound queue holds before {@code send} returns false
 * @param maxQueuedBytes payload bytes an outbound queue holds before {@code send} returns false
 * @param writeBufferBytes bytes written to a socket but not yet accepted by the kernel above which
 *     a queue stops draining (Netty's high water mark; back-pressure instead of unbounded growth)
 * @param handshakeTimeout time a new connection has to finish the handshake (default 5 s)
 * @param reconnectMin first reconnection delay (default 50 ms); doubles per failure, with jitter
 * @param reconnectMax longest reconnection delay (default 2 s)
 * @param maxConnections inbound connections a listener keeps open at once (default 1024)
 */
public record NetOptions(
    int maxPayloadBytes,
    int ioThreads,
    int queueCapacity,
    long maxQueuedBytes,
    int writeBufferBytes,
    Duration handshakeTimeout,
    Duration reconnectMin,
    Duration reconnectMax,
    int maxConnections) {

  public NetOptions {
    positive("maxPayloadBytes", maxPayloadBytes);
    if (maxPayloadBytes < Hello.MAX_BYTES) {
      throw new IllegalArgumentException(
          "maxPayloadBytes must be at least " + Hello.MAX_BYTES + ", was " + maxPayloadBytes);
    }
    positive("ioThreads", ioThreads);
    positive("queueCapacity", queueCapacity);
    positive("maxQueuedBytes", maxQueuedBytes);
    positive("writeBufferBytes", writeBufferBytes);
    positive("maxConnections", maxConnections);
    positive("handshakeTimeout", handshakeTimeout);
    positive("reconnectMin", reconnectMin);
    positive("reconnectMax", reconnectMax);
    if (reconnectMax.compareTo(reconnectMin) < 0) {
      throw new IllegalArgumentException("reconnectMax " + reconnectMax
          + " must not be below reconnectMin " + reconnectMin);
    }
  }

  /** 4 MiB payloads, 2 I/O threads, 8192-message / 64 MiB queues, 5 s handshakes, 50 ms–2 s. */
  public static NetOptions defaults() {
    return new NetOptions(Frames.DEFAULT_MAX_PAYLOAD,
        Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())),
        8192, 64L << 20, 4 << 20, Duration.ofSeconds(5), Duration.ofMillis(50),
        Duration.ofSeconds(2), 1024);
  }

  /** A copy with another payload limit. */
  public NetOptions withMaxPayloadBytes(int bytes) {
    return new NetOptions(bytes, ioThreads, queueCapacity, maxQueuedBytes, writeBufferBytes,
        handshakeTimeout, reconnectMin, reconnectMax, maxConnections);
  }

  /** A copy with another number of I/O threads. */
  public NetOptions withIoThreads(int threads) {
    return new NetOptions(maxPayloadBytes, threads, queueCapacity, maxQueuedBytes,
        writeBufferBytes, handshakeTimeout, reconnectMin, reconnectMax, maxConnections);
  }

  /** A copy with other outbound queue bounds. */
  public NetOptions withQueue(int capacity, long bytes) {
    return new NetOptions(maxPayloadBytes, ioThreads, capacity, bytes, writeBufferBytes,
        handshakeTimeout, reconnectMin, reconnectMax, maxConnections);
  }

  /** A copy with another socket write-buffer high water mark. */
  public NetOptions withWriteBufferBytes(int bytes) {
    return new NetOptions(maxPayloadBytes, ioThreads, queueCapacity, maxQueuedBytes, bytes,
        handshakeTimeout, reconnectMin, reconnectMax, maxConnections);
  }

  /** A copy with another handshake timeout. */
  public NetOptions withHandshakeTimeout(Duration timeout) {
    return new NetOptions(maxPayloadBytes, ioThreads, queueCapacity, maxQueuedBytes,
        writeBufferBytes, timeout, reconnectMin, reconnectMax, maxConnections);
  }

  /** A copy with other reconnection delays. */
  public NetOptions withReconnect(Duration min, Duration max) {
    return new NetOptions(maxPayloadBytes, ioThreads, queueCapacity, maxQueuedBytes,
        writeBufferBytes, handshakeTimeout, min, max, maxConnections);
  }

  /** A copy with another inbound connection limit. */
  public NetOptions withMaxConnections(int connections) {
    return new NetOptions(maxPayloadBytes, ioThreads, queueCapacity, maxQueuedBytes,
        writeBufferBytes, handshakeTimeout, reconnectMin, reconnectMax, connections);
  }

  /** The largest application payload {@code send} accepts: the frame limit minus the MAC. */
  public int maxMessageBytes() {
    return maxPayloadBytes - FrameMac.TAG_BYTES;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
