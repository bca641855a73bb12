package io.lockstep.order.pbft;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.order.SnapshotData;

/**
 * Reads the executor's replicated configuration out of a checkpoint's state, so that the
 * protocol learns the replica set from checkpointed state ({@link MembershipSchedule}). The
 * runtime passes the executor's snapshot decoder; {@link #FIXED} keeps the cluster file's set.
 */
@FunctionalInterface
public interface ConfigurationReader {
  /** A cluster whose replica set never changes: every state reads as the initial one. */
  ConfigurationReader FIXED = state -> ClusterConfiguration.INITIAL;

  /**
   * The configuration {@code state} holds.
   *
   * @throws IllegalArgumentException if the bytes are not a state this reader knows; a state
   *     proven by 2t+1 votes that does not decode is a broken invariant of the executor
   */
  ClusterConfiguration read(SnapshotData state);
}
