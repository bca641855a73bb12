package io.lockstep.order.pbft;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.Reconfiguration;
import io.lockstep.configuration.SystemCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A replica-set history driven through the executor's real {@link Reconfiguration}: requests
 * at chosen positions (others are gaps, as with batches shorter than max-batch), replica-set
 * changes ordered at some of them, and the executor's configuration recorded at every
 * checkpoint, which is what a replica reads from a stable checkpoint's state.
 */
final class ReplicaSetHistory {
  private final PbftConfig config;
  private final long distance;
  private final Reconfiguration executor = new Reconfiguration();
  private final TreeMap<Long, ClusterConfiguration> atCheckpoint = new TreeMap<>();
  private long last;
  private int changes;

  ReplicaSetHistory(PbftConfig config, long distance) {
    this.config = config;
    this.distance = distance;
    atCheckpoint.put(0L, executor.current());
  }

  /** A request at {@code at} (after every earlier one): pending changes due there apply first. */
  void request(long at) {
    if (at <= last) {
      throw new IllegalArgumentException("positions increase: " + at + " after " + last);
    }
    advanceTo(at);
    executor.takeEffect(at);
    last = at;
  }

  /** A SetReplicas ordered by the request at {@code at}; returns its stated position. */
  long order(long at, SortedSet<Integer> replicas) {
    request(at);
    changes++;
    return executor.order(new SystemCommand.SetReplicas(replicas, 0), at, distance);
  }

  /** Replica-set changes ordered so far. */
  int changes() {
    return changes;
  }

  /** Records the states of every checkpoint up to sequence number {@code seq}. */
  void runTo(long seq) {
    advanceTo(seq * config.maxBatch() + 1);
  }

  private void advanceTo(long at) {
    long k = config.checkpointInterval();
    long next = (atCheckpoint.lastKey() / k + 1) * k;
    while (next * config.maxBatch() < at) {
      atCheckpoint.put(next, executor.current());
      next += k;
    }
  }

  /** The executor's configuration at each recorded checkpoint. */
  Map<Long, ClusterConfiguration> states() {
    return java.util.Collections.unmodifiableMap(atCheckpoint);
  }

  /** Each recorded checkpoint's schedule under {@code rule}. */
  Map<Long, MembershipSchedule> schedules(MembershipSchedule.Rule rule) {
    Map<Long, MembershipSchedule> out = new TreeMap<>();
    atCheckpoint.forEach((h, state) -> out.put(h, MembershipSchedule.at(config, h, state, rule)));
    return out;
  }

  /**
   * The first way two replicas at different stable checkpoints, or one replica within its
   * window, disagree on who orders a sequence number they may both order; null when none.
   */
  static String disagreement(Map<Long, MembershipSchedule> byCheckpoint) {
    List<MembershipSchedule> all = new ArrayList<>(byCheckpoint.values());
    for (MembershipSchedule a : all) {
      for (long seq = a.stableSeq() + 1; seq <= a.windowEnd(); seq++) {
        if (!a.forSeq(seq).equals(a.current())) {
          return "at checkpoint " + a.stableSeq() + " seq " + seq + " in the window belongs to "
              + a.forSeq(seq) + ", not " + a.current();
        }
        for (MembershipSchedule b : all) {
          if (b.stableSeq() > a.stableSeq() && seq > b.stableSeq() && seq <= b.windowEnd()
              && !b.forSeq(seq).equals(a.forSeq(seq))) {
            return "seq " + seq + ": a replica at checkpoint " + a.stableSeq() + " counts "
                + a.forSeq(seq).members() + ", one at " + b.stableSeq() + " counts "
                + b.forSeq(seq).members();
          }
        }
      }
    }
    return null;
  }
}
