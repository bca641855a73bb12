package io.lockstep.net;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one transport endpoint ({@link PeerNetwork}, {@link FrameServer} or
 * {@link FrameClient}), safe to read from any thread. Metrics exporters read these; tests assert
 * on them.
 */
public final class NetStats {
  private final EnumMap<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
  private final LongAdder framesSent = new LongAdder();
  private final LongAdder framesReceived = new LongAdder();
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder connectAttempts = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder readPauses = new LongAdder();
  private final LongAdder readsPausedNow = new LongAdder();

  NetStats() {
    for (RejectReason reason : RejectReason.values()) {
      rejected.put(reason, new LongAdder());
    }
  }

  /** How many connections were closed, or messages dropped, for this reason. */
  public long rejected(RejectReason reason) {
    return rejected.get(reason).sum();
  }

  /** All rejection counters at once (a copy). */
  public Map<RejectReason, Long> rejections() {
    EnumMap<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
    rejected.forEach((reason, count) -> copy.put(reason, count.sum()));
    return copy;
  }

  /** Data frames written to sockets (after the handshake). */
  public long framesSent() {
    return framesSent.sum();
  }

  /** Data frames received, verified and handed to the application. */
  public long framesReceived() {
    return framesReceived.sum();
  }

  /** Handshakes completed (connections that became usable), inbound and outbound. */
  public long handshakes() {
    return handshakes.sum();
  }

  /** Outbound connection attempts (first dials and reconnections). */
  public long connectAttempts() {
    return connectAttempts.sum();
  }

  /** Outbound connection attempts that failed before a socket was open (peer down, refused). */
  public long connectFailures() {
    return connectFailures.sum();
  }

  /**
   * Times a connection stopped reading because its answers were not being read (back-pressure
   * on a client that does not read, see the client port).
   */
  public long readPauses() {
    return readPauses.sum();
  }

  /** Connections not being read at this moment for that reason. */
  public long readsPausedNow() {
    return readsPausedNow.sum();
  }

  void readPaused(boolean paused) {
    if (paused) {
      readPauses.increment();
    }
    readsPausedNow.add(paused ? 1 : -1);
  }

  void connectFailure() {
    connectFailures.increment();
  }

  void reject(RejectReason reason) {
    rejected.get(reason).increment();
  }

  void sent(int frames) {
    framesSent.add(frames);
  }

  void received() {
    framesReceived.increment();
  }

  void handshake() {
    handshakes.increment();
  }

  void connectAttempt() {
    connectAttempts.increment();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("NetStats[sent=").append(framesSent())
        .append(", received=").append(framesReceived())
        .append(", handshakes=").append(handshakes());
    rejections().forEach((reason, count) -> {
      if (count > 0) {
        text.append(", ").append(reason).append('=').append(count);
      }
    });
    return text.append(']').toString();
  }
}
