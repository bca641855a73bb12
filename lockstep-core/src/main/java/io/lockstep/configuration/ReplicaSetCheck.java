package io.lockstep.configuration;

import java.util.Set;
import java.util.SortedSet;

/**
 * A coordination protocol's own rule for the replica-set changes it can carry out, applied by the
 * executor where a {@link SystemCommand.SetReplicas} is ordered (paper §7: the configuration is
 * changed by ordered commands, so the check runs at the same position on every replica and a
 * refusal is the same reply everywhere). Checking only in the operator's tool would let a change
 * that the protocol cannot survive (too few replicas left for its quorums, more replicas joining
 * at once than it tolerates) reach the replicated state by any other path, and then every
 * correct replica would have to stop. The runtime gets it from the protocol
 * ({@code Protocol.replicaSetCheck}) and hands it to the executor before it executes anything.
 *
 * <p>Implementations must be deterministic: the same sets give the same answer on every replica.
 */
public interface ReplicaSetCheck {
  /** No rule beyond the executor's own: any non-empty set, at the configured distance. */
  ReplicaSetCheck NONE = new ReplicaSetCheck() {
    @Override
    public long minimumDistance() {
      return 1;
    }

    @Override
    public String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed) {
      return null;
    }
  };

  /**
   * The least number of positions between a replica-set change's own position and the one it
   * takes effect at: a protocol that learns the replica set from replicated state needs every
   * correct replica to learn of a change before it binds them.
   */
  long minimumDistance();

  /**
   * Why {@code proposed} may not follow {@code latest}, or null when it may.
   *
   * @param latest the replica set in force, or the last one already pending; empty while the
   *     cluster still runs its initial set (the cluster file's voters, which the protocol knows)
   * @param proposed the set the command asks for (never empty)
   */
  String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed);

  /**
   * As {@link #refusal(SortedSet, SortedSet)}, knowing which replicas the replicated
   * configuration records with their addresses and public key ({@link SystemCommand.SetMember}):
   * a protocol that admits only replicas whose keys it knows (PBFT) counts them as keyed, so a
   * machine that no cluster file names can join once an operator's ordered command recorded it.
   * Deterministic as the record is replicated state. The default ignores the records.
   *
   * @param keyed replicas recorded with a public key, in the configuration in force
   */
  default String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed,
      Set<Integer> keyed) {
    return refusal(latest, proposed);
  }
}
