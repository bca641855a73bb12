package io.lockstep.sim;

import io.lockstep.replica.QueryResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Byzantine client's vote on the answers to one read sent to every replica (PBFT's read-only
 * optimisation, §5.1.3): every replica answers at its current state; 2t+1 matching answers
 * decide, because at most t of them can lie; when no value can reach 2t+1 any more (replicas
 * disagree, e.g. a write is under way, or some refuse), the client resubmits the read as an
 * ordered request. A replica counts once, by the channel its answer came on.
 */
final class ReadVote {
  private final int replicas;
  private final int needed;
  private final Set<Integer> answered = new HashSet<>();
  private final List<byte[]> values = new ArrayList<>();
  private final List<Integer> counts = new ArrayList<>();

  ReadVote(int replicas, int t) {
    this.replicas = replicas;
    this.needed = 2 * t + 1;
  }

  /** Counts {@code replica}'s answer; returns the decided value once 2t+1 match. */
  Optional<byte[]> offer(int replica, QueryResult result) {
    if (!answered.add(replica) || !result.ok()) {
      return Optional.empty();
    }
    byte[] value = result.value();
    for (int i = 0; i < values.size(); i++) {
      if (Arrays.equals(values.get(i), value)) {
        counts.set(i, counts.get(i) + 1);
        return counts.get(i) >= needed ? Optional.of(value) : Optional.empty();
      }
    }
    values.add(value);
    counts.add(1);
    return needed <= 1 ? Optional.of(value) : Optional.empty();
  }

  /** True when even the replicas yet to answer cannot make any value reach 2t+1. */
  boolean hopeless() {
    int best = 0;
    for (int count : counts) {
      best = Math.max(best, count);
    }
    return best + (replicas - answered.size()) < needed;
  }
}
