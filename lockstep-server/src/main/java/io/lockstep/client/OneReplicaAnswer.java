package io.lockstep.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A read-only query answered by one replica alone (paper §3 relaxation under fail-stop; see
 * {@link LockstepClient#readOneReplica}): possibly stale, but reflecting exactly the stable
 * requests up to {@code position} and never one that is not stable.
 *
 * @param value the state machine's output
 * @param position the position the answering replica had applied: at least the position of
 *     every reply and one-replica answer this client had received when it asked
 * @param replica the id of the replica that answered
 */
public record OneReplicaAnswer(byte[] value, long position, int replica) {
  public OneReplicaAnswer {
    Objects.requireNonNull(value, "value");
    value = value.clone();
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OneReplicaAnswer a && Arrays.equals(value, a.value)
        && position == a.position && replica == a.replica;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(value), position, replica);
  }

  @Override
  public String toString() {
    return "OneReplicaAnswer[" + value.length + " bytes at position " + position
        + " from replica " + replica + "]";
  }
}
