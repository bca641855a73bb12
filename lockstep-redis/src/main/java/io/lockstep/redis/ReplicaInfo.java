package io.lockstep.redis;

import io.lockstep.order.Role;
import io.lockstep.order.Status;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code INFO} reports about the replica behind a Redis port. The replica server implements
 * it (or builds one with {@link #of}); every call should return current values and must be safe
 * to call from a Netty I/O thread (read volatile copies, never the protocol object itself).
 */
public interface ReplicaInfo {
  /** This replica's id. */
  int replicaId();

  /** Its role in the coordination protocol. */
  Role role();

  /** The current term (or view). */
  long term();

  /** The replica believed to lead, or -1 when unknown. */
  int leader();

  /** The highest position known committed (stable). */
  long commitIndex();

  /** The highest position the executor has applied. */
  long appliedPosition();

  /** The OS process id ({@code process_id} in INFO). */
  default long processId() {
    return ProcessHandle.current().pid();
  }

  /**
   * More {@code name:value} lines for the {@code # Lockstep} section of INFO (e.g. the leader's
   * address, last log index, snapshot index). Names must be lower_snake_case; values must not
   * contain CR or LF.
   */
  default Map<String, String> extra() {
    return Map.of();
  }

  /** A fixed view built from a protocol {@link Status} and the executor's applied position. */
  static ReplicaInfo of(Status status, long appliedPosition) {
    Objects.requireNonNull(status, "status");
    return new Fixed(status.self(), status.role(), status.term(), status.leader(),
        status.commitIndex(), appliedPosition);
  }

  /** The role as INFO shows it: {@code leader}, {@code follower} or {@code candidate}. */
  static String roleName(Role role) {
    return switch (role) {
      case LEADER -> "leader";
      case FOLLOWER -> "follower";
      case CANDIDATE, PRE_CANDIDATE -> "candidate";
    };
  }

  /** An immutable {@link ReplicaInfo}. */
  record Fixed(int replicaId, Role role, long term, int leader, long commitIndex,
      long appliedPosition) implements ReplicaInfo {
    public Fixed {
      Objects.requireNonNull(role, "role");
    }
  }
}
