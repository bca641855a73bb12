package io.lockstep.server;

import io.lockstep.storage.GroupCommitLog;
import java.io.IOException;
import java.util.Optional;

/**
 * The runtime's own part of a replica's health: whether it stopped, is starting or stopping,
 * or its disk or loop has stalled. (The other parts, divergence and broken timing assumptions,
 * have their own monitors.)
 */
final class RuntimeHealth {
  /** A loop or disk stalled this long makes the replica report itself unhealthy. */
  static final long UNHEALTHY_STALL_NANOS = 2_000_000_000L;

  private RuntimeHealth() {}

  /**
   * What keeps the runtime from serving, or empty.
   *
   * @param failure why the replica stopped on its own, or null
   * @param log the group-commit log, or null while starting
   * @param loop the replica loop, or null while starting
   */
  static Optional<String> problem(Throwable failure, boolean closing, GroupCommitLog log,
      ReplicaLoop loop) {
    if (failure != null) {
      return Optional.of(describeFailure(failure));
    }
    if (closing) {
      return Optional.of("stopping");
    }
    if (log == null || loop == null) {
      return Optional.of("starting");
    }
    long stalled = log.stalledNanos();
    if (stalled > UNHEALTHY_STALL_NANOS) {
      return Optional.of("disk slow: a group commit has waited " + stalled / 1_000_000
          + " ms for the disk; clients are answered busy meanwhile");
    }
    long idle = loop.idleNanos();
    if (idle > UNHEALTHY_STALL_NANOS) {
      return Optional.of("loop stalled for " + idle / 1_000_000 + " ms");
    }
    return Optional.empty();
  }

  /**
   * "removed" while the configuration in force leaves this replica out and the cluster file
   * does not list it as a spare: it was removed (possibly while it was down, which it learns
   * from the members' answers to its campaign) and takes no part until it is added back.
   */
  static Optional<String> removed(int self, StatusView status, java.util.List<Integer> spares) {
    if (status == null || status.voters().isEmpty() || status.voters().contains(self)
        || status.learners().contains(self) || spares.contains(self)) {
      return Optional.empty();
    }
    return Optional.of("removed: replica " + self + " is not a voter of the configuration in"
        + " force " + status.voters() + "; it votes and serves again only if added back"
        + " (lockstep member add " + self + ")");
  }

  private static String describeFailure(Throwable cause) {
    String what = fromStorage(cause) ? "storage failed" : "replica failed";
    return "stopped: " + what + " (" + cause.getMessage() + "); it acknowledges nothing more."
        + " Fix the cause and restart it: recovery keeps everything that was synced";
  }

  /**
   * Whether an I/O error is behind {@code cause}: the loop may stop first on the log's refusal
   * ({@code LogStoppedException}, caused by the log thread's failed fsync) and the log thread
   * second, so which one is recorded is a race; both are the storage's failure.
   */
  private static boolean fromStorage(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
