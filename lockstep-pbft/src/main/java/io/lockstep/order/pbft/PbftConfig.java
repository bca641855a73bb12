package io.lockstep.order.pbft;

import io.lockstep.identity.Signer;
import java.util.List;
import java.util.Objects;

/**
 * One replica's PBFT settings.
 *
 * @param self this replica's id
 * @param members the initial configuration's replicas in increasing order; the primary of view
 *     v is {@code members[v mod n]}. {@code self} may be outside it: a spare, which orders
 *     nothing until a replica-set change names it ({@link MembershipSchedule})
 * @param t Byzantine replicas tolerated; n must be at least 3t+1
 * @param signer signs as {@code self} and verifies the others
 * @param maxBatch most requests in one batch; also the number of positions a sequence number
 *     spans ({@link Pbft#position})
 * @param checkpointInterval K: a checkpoint after every K sequence numbers
 * @param window L: sequence numbers accepted above the low watermark; a multiple of K, at
 *     least 2K so that ordering goes on while the next checkpoint becomes stable
 * @param requestTimeoutMs how long a request may wait to execute before this replica starts a
 *     view change, at least: the time-out follows what requests took lately (smoothed delay
 *     plus four deviations), up to 4 times this, and is doubled for each view change in a row
 *     (back-off), never beyond {@code requestTimeoutMs << maxBackoffExponent}
 * @param maxBackoffExponent cap on the doublings
 * @param proposeDelayMs how long the primary may leave a request a backup holds unproposed
 *     before the backup forwards it, and then suspects the primary of slowness, at least
 *     (adaptive in the same way)
 * @param retransmitMs period of the status message (retransmission)
 * @param timeBoundMs how far a proposed agreed time may lie from a backup's wall clock
 * @param maxPendingRequests most client requests held waiting to be ordered
 */
public record PbftConfig(int self, List<Integer> members, int t, Signer signer, int maxBatch,
    int checkpointInterval, int window, long requestTimeoutMs, int maxBackoffExponent,
    long proposeDelayMs, long retransmitMs, long timeBoundMs, int maxPendingRequests) {

  public PbftConfig {
    members = List.copyOf(members);
    Objects.requireNonNull(signer, "signer");
    new Quorum(members.size(), t);
    for (int i = 1; i < members.size(); i++) {
      if (members.get(i) <= members.get(i - 1)) {
        throw new IllegalArgumentException("members must be in increasing order: " + members);
      }
    }
    if (maxBatch < 1 || maxBatch > Batch.MAX_REQUESTS) {
      throw new IllegalArgumentException("max batch must be in [1, " + Batch.MAX_REQUESTS
          + "], was " + maxBatch);
    }
    if (checkpointInterval < 1 || window < 2 * checkpointInterval
        || window % checkpointInterval != 0) {
      throw new IllegalArgumentException("the window (" + window + ") must be a multiple of the"
          + " checkpoint interval (" + checkpointInterval + ") and at least twice it");
    }
    if (requestTimeoutMs < 1 || proposeDelayMs < 1 || retransmitMs < 1 || timeBoundMs < 0
        || maxPendingRequests < 1 || maxBackoffExponent < 0 || maxBackoffExponent > 20) {
      throw new IllegalArgumentException("timeouts, periods and bounds must be positive (back-off"
          + " exponent in [0, 20])");
    }
  }

  /**
   * The simulator's and scripted tests' settings for a cluster of {@code members} tolerating
   * {@code t} Byzantine replicas: a small log (max-batch 16, K = 16, L = 64) so that runs cross
   * many checkpoints and window ends. A cluster file's defaults are {@link PbftProtocol}'s
   * (max-batch 64, K = 512, L = 1024); the simulator keeps these so its seeds replay as before.
   */
  public static PbftConfig defaults(int self, List<Integer> members, int t, Signer signer) {
    return new PbftConfig(self, members, t, signer, 16, 16, 64, 500, 4, 150, 50, 2_000, 10_000);
  }

  /** The same with another request time-out. */
  public PbftConfig withRequestTimeout(long millis) {
    return new PbftConfig(self, members, t, signer, maxBatch, checkpointInterval, window, millis,
        maxBackoffExponent, proposeDelayMs, retransmitMs, timeBoundMs, maxPendingRequests);
  }

  /** The same with another batch size, checkpoint interval and window. */
  public PbftConfig withLog(int batch, int interval, int windowSize) {
    return new PbftConfig(self, members, t, signer, batch, interval, windowSize, requestTimeoutMs,
        maxBackoffExponent, proposeDelayMs, retransmitMs, timeBoundMs, maxPendingRequests);
  }

  /** The same with another signer (tests record or pre-verify what the core checks). */
  public PbftConfig withSigner(Signer other) {
    return new PbftConfig(self, members, t, other, maxBatch, checkpointInterval, window,
        requestTimeoutMs, maxBackoffExponent, proposeDelayMs, retransmitMs, timeBoundMs,
        maxPendingRequests);
  }

  /** The same with another slow-primary bound. */
  public PbftConfig withProposeDelay(long millis) {
    return new PbftConfig(self, members, t, signer, maxBatch, checkpointInterval, window,
        requestTimeoutMs, maxBackoffExponent, millis, retransmitMs, timeBoundMs,
        maxPendingRequests);
  }

  /** Replica count. */
  int n() {
    return members.size();
  }
}
