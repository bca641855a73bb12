package io.lockstep.order;

import java.util.List;
import java.util.Objects;

/**
 * The executor's state after applying every position up to {@code index}, with what the protocol
 * needs to continue its log after it.
 *
 * @param index last position included
 * @param term term of the entry at {@code index}
 * @param time agreed time of the entry at {@code index}
 * @param members the replica ids of the configuration in force at {@code index}
 * @param state the executor's encoded state
 */
public record Snapshot(long index, long term, long time, List<Integer> members, byte[] state) {
  public Snapshot {
    members = List.copyOf(members);
    Objects.requireNonNull(state, "state");
  }
}
