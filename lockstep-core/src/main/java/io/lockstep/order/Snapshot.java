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
 * @param data the executor's encoded state, in memory or in a stored file
 */
public record Snapshot(long index, long term, long time, List<Integer> members,
    SnapshotData data) {
  public Snapshot {
    members = List.copyOf(members);
    Objects.requireNonNull(data, "data");
  }

  /** A snapshot whose state is in memory (the array is copied). */
  public Snapshot(long index, long term, long time, List<Integer> members, byte[] state) {
    this(index, term, time, members, SnapshotData.of(Objects.requireNonNull(state, "state")));
  }

  /**
   * The whole encoded state in one array: for small states, tests and the simulator; code that
   * may see a large state reads {@link #data()} as a stream or in ranges instead.
   */
  public byte[] state() {
    return data.toByteArray();
  }
}
