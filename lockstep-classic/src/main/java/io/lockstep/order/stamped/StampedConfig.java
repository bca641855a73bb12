package io.lockstep.order.stamped;

import java.util.List;

/**
 * One replica's settings for a stamped-order scheme.
 *
 * @param self this replica's id
 * @param members every replica's id, at most 64 (the suspect set is a 64-bit mask)
 * @param nullIntervalMillis a replica that has broadcast nothing for this long sends a null
 *     request (paper §3.2.1: every client sends periodically, so the waiting test progresses)
 * @param failureTimeoutMillis silence after which a replica is detected failed
 * @param resendMillis how often unacknowledged broadcasts are retransmitted (and a failed
 *     replica's relayed)
 * @param maxPending most requests waiting to become stable; further proposals are refused as
 *     busy (the client retries), so a stalled order cannot exhaust memory
 * @param startTimeoutMillis how long a replica nobody has heard from yet may take to start
 *     before it is detected failed (at least the failure timeout; see {@link FailureDetector})
 * @param clusterStarted the cluster file says the cluster has already run: a replica whose
 *     storage is empty (a new machine, or a wiped data directory) is then not a first start
 *     but a replica that must rejoin a running order (paper §7.2) with no state of its own
 */
public record StampedConfig(int self, List<Integer> members, long nullIntervalMillis,
    long failureTimeoutMillis, long resendMillis, int maxPending, long startTimeoutMillis,
    boolean clusterStarted) {
  /** Most members: the suspect set travels as a 64-bit mask. */
  public static final int MAX_MEMBERS = 64;

  public StampedConfig {
    members = List.copyOf(members);
    if (!members.contains(self) || members.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("self " + self + " must be one of at most "
          + MAX_MEMBERS + " members, got " + members);
    }
    if (nullIntervalMillis < 1 || failureTimeoutMillis < 1 || resendMillis < 1 || maxPending < 1) {
      throw new IllegalArgumentException("intervals, timeout and maxPending must be positive");
    }
    if (startTimeoutMillis < failureTimeoutMillis) {
      throw new IllegalArgumentException("the start timeout " + startTimeoutMillis
          + " ms must be at least the failure timeout " + failureTimeoutMillis + " ms");
    }
  }

  /** Settings of a cluster not marked as started (an empty replica is a first start). */
  public StampedConfig(int self, List<Integer> members, long nullIntervalMillis,
      long failureTimeoutMillis, long resendMillis, int maxPending, long startTimeoutMillis) {
    this(self, members, nullIntervalMillis, failureTimeoutMillis, resendMillis, maxPending,
        startTimeoutMillis, false);
  }

  /** The same settings with the cluster marked as started ({@code clusterStarted}). */
  public StampedConfig started() {
    return new StampedConfig(self, members, nullIntervalMillis, failureTimeoutMillis,
        resendMillis, maxPending, startTimeoutMillis, true);
  }

  /** Settings whose start timeout is ten failure timeouts. */
  public StampedConfig(int self, List<Integer> members, long nullIntervalMillis,
      long failureTimeoutMillis, long resendMillis, int maxPending) {
    this(self, members, nullIntervalMillis, failureTimeoutMillis, resendMillis, maxPending,
        10 * failureTimeoutMillis);
  }

  /** Defaults for a LAN: nulls every 20 ms, failure after 300 ms of silence, resend every 100. */
  public static StampedConfig defaults(int self, List<Integer> members) {
    return new StampedConfig(self, members, 20, 300, 100, 10_000);
  }
}
