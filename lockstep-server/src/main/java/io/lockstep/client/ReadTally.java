package io.lockstep.client;

import io.lockstep.replica.QueryResult;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The answers to one voted read at the replicas' applied states ({@link VotingCalls}, 3t+1
 * replicas only), one per slot, and the slots that declined to answer it unordered: whether
 * enough of them match to decide the read (2t+1: t+1 of them correct, and any two sets of 2t+1
 * share a correct replica), and whether enough still can. Apart from {@link VotingCalls}
 * because this is the counting alone: what to do with its verdict (complete the call, or send
 * the read through the order) depends on the client's threads and timers, the count does not.
 * Not thread-safe: its {@link VotingCall}'s lock guards it.
 */
final class ReadTally {
  private final Map<Integer, QueryResult> reads = new HashMap<>();
  /** Replicas that declined to answer a read unordered (redirected it): never a vote. */
  private final java.util.Set<Integer> declined = new java.util.HashSet<>();

  /** Counts {@code slot}'s answer; a replica's repeated answers count once (its first). */
  void answer(int slot, QueryResult result) {
    reads.putIfAbsent(slot, result);
  }

  /** Records that {@code slot} declined the read: it will give no answer to count. */
  void decline(int slot) {
    declined.add(slot);
  }

  /** How many replicas answered. */
  int answers() {
    return reads.size();
  }

  /** An answer that {@code needed} replicas gave alike, or null while there is none. */
  QueryResult decided(int needed) {
    QueryResult decided = null;
    for (QueryResult candidate : reads.values()) {
      if (matching(candidate) >= needed) {
        decided = candidate;
      }
    }
    return decided;
  }

  /**
   * Whether {@code needed} matching answers can no longer come from the {@code asked} replicas:
   * the largest set of matching answers plus every replica yet to answer falls short.
   */
  boolean hopeless(int asked, int needed) {
    return best() + (asked - reads.size() - declined.size()) < needed;
  }

  /** The most answers that match one another. */
  private int best() {
    int best = 0;
    for (QueryResult candidate : reads.values()) {
      best = Math.max(best, matching(candidate));
    }
    return best;
  }

  /** How many answers match {@code candidate} (itself included). */
  private int matching(QueryResult candidate) {
    return (int) reads.values().stream().filter(o -> same(o, candidate)).count();
  }

  private static boolean same(QueryResult a, QueryResult b) {
    return a.ok() == b.ok() && Arrays.equals(a.value(), b.value()) && a.reason().equals(b.reason());
  }
}
