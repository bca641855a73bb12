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
 * @param silentMillis on the leader, for each other voter and learner, how long (on the
 *     leader's monotonic clock) since it last answered; empty on a follower
 */
public record Configuration(List<Integer> voters, List<Integer> learners, long index,
    boolean committed, String lastRefusal, Map<Integer, Long> silentMillis) {
  public Configuration {
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
    silentMillis = Map.copyOf(silentMillis);
    Objects.requireNonNull(lastRefusal, "lastRefusal");
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative, was " + index);
    }
  }

  /**
   * The combining condition's margin (paper §7, P − F > Enuf) for a crash-tolerant majority
   * protocol: how many more voters may fail before a majority of them is gone, given that
   * {@code unreachable} of them already are. Negative means no majority is left.
   */
  public int margin(int unreachable) {
    int majority = voters.size() / 2 + 1;
    return voters.size() - unreachable - majority;
  }
}
