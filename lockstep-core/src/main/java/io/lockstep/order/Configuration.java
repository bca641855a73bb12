package io.lockstep.order;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The set of replicas S that orders requests, as one replica sees it (paper §7: the configuration
 * is replicated state, changed by ordered commands). A protocol reports the newest configuration
 * in its log, whether or not it is committed yet, because that is the one it counts quorums in.
 *
 * @param voters the replicas whose votes and acknowledgements count, ascending
 * @param learners replicas the leader is catching up before they may become voters (empty on a
 *     follower: only the leader tracks them)
 * @param index the log position of the entry that made this configuration, 0 for the initial one
 * @param committed true once that entry is committed (stable)
 * @param lastRefusal why the latest membership change asked of this replica was refused, or ""
 * @param silentMillis for each other voter and learner, how long it has been silent: under a
 *     crash-tolerant protocol, on the leader, since it last answered the leader (empty on a
 *     follower); under a Byzantine one, on every replica, as long as t+1 replicas report it
 *     silent (one replica's word is no evidence when t may lie)
 * @param quorum how many voters must answer for the protocol to order anything: a majority
 *     for a crash-tolerant protocol, 2t+1 of 3t+1 for a Byzantine one
 */
public record Configuration(List<Integer> voters, List<Integer> learners, long index,
    boolean committed, String lastRefusal, Map<Integer, Long> silentMillis, int quorum) {
  /** A configuration whose quorum is a majority of {@code voters} (crash faults). */
  public Configuration(List<Integer> voters, List<Integer> learners, long index,
      boolean committed, String lastRefusal, Map<Integer, Long> silentMillis) {
    this(voters, learners, index, committed, lastRefusal, silentMillis, voters.size() / 2 + 1);
  }

  public Configuration {
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1, was " + quorum);
    }
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
    silentMillis = Map.copyOf(silentMillis);
    Objects.requireNonNull(lastRefusal, "lastRefusal");
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative, was " + index);
    }
  }

  /**
   * The combining condition's margin (paper §7, P − F > Enuf): how many more voters may fail
   * before fewer than {@link #quorum} of them are left, given that {@code unreachable} of them
   * already are. Negative means no quorum is left.
   */
  public int margin(int unreachable) {
    return voters.size() - unreachable - quorum;
  }
}
