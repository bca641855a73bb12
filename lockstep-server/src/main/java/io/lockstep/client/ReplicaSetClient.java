package io.lockstep.client;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@code lockstep member} for a cluster whose replica set is replicated state changed by ordered
 * commands (a Byzantine cluster, paper §7): the operator's tool reads the configuration, builds
 * the whole new set ({@link SystemCommand.SetReplicas}), signs it and has it ordered like any
 * system command ({@link AdminClient}). Signing the exact set, rather than asking a replica to
 * compute it, means no single (possibly faulty) replica can turn "replace 3 by 4" into another
 * change. The replicas judge it by the protocol's own rule where it is ordered (at least 3t+1
 * replicas, at most t joining or leaving, only replicas whose key a file lists or an ordered
 * {@link SystemCommand.SetMember} recorded) and state it one window ahead;
 * the command then waits until the change is in force.
 */
final class ReplicaSetClient {
  private static final long POLL_MILLIS = 500;

  private final ClusterConfig config;
  private final AdminClient admin;

  ReplicaSetClient(ClusterConfig config, AdminClient admin) {
    this.config = config;
    this.admin = admin;
  }

  /** Carries out {@code operation} (see {@link MemberClient#send}). */
  MemberClient.Outcome send(MemberOperation operation, int replica, int other, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ClusterConfiguration now;
    try {
      now = admin.orderedConfiguration(timeout);
    } catch (LockstepException e) {
      return new MemberClient.Outcome(false, "cannot read the configuration: " + e.getMessage(),
          -1);
    }
    if (operation == MemberOperation.LIST) {
      return new MemberClient.Outcome(true, describe(now), -1);
    }
    SortedSet<Integer> latest = latest(now);
    String problem = problem(operation, replica, other, latest, now);
    if (problem != null) {
      return new MemberClient.Outcome(false, problem + "; nothing was changed. "
          + describe(now), -1);
    }
    TreeSet<Integer> next = next(operation, replica, other, latest);
    AdminClient.Outcome ordered = admin.send(new SystemCommand.SetReplicas(next, 0),
        remaining(deadline));
    if (!ordered.ok()) {
      return new MemberClient.Outcome(false, "the replicas refused the replica set " + next
          + ": " + ordered.text(), -1);
    }
    return awaitInForce(next, ordered.at(), deadline);
  }

  /** Polls until the replica set is {@code next} or the time is up; ordered either way. */
  private MemberClient.Outcome awaitInForce(TreeSet<Integer> next, long at, long deadline)
      throws InterruptedException {
    String ordered = "replica set " + next + " ordered, stated for position " + at;
    ClusterConfiguration seen = null;
    while (System.nanoTime() < deadline) {
      try {
        seen = admin.orderedConfiguration(remaining(deadline));
        if (seen.replicas().equals(next)) {
          return new MemberClient.Outcome(true, ordered + "; now in force. " + describe(seen),
              -1);
        }
      } catch (LockstepException e) {
        // A replica of the old set may be gone already; the next poll asks the others.
      }
      Thread.sleep(POLL_MILLIS);
    }
    return new MemberClient.Outcome(true, ordered + "; not yet in force (positions advance only"
        + " as requests are ordered): check with `lockstep member list`."
        + (seen == null ? "" : " " + describe(seen)), -1);
  }

  /** The replica set the latest pending change names, or the one in force. */
  private SortedSet<Integer> latest(ClusterConfiguration c) {
    List<PendingChange> pending = c.pending();
    for (int i = pending.size() - 1; i >= 0; i--) {
      if (pending.get(i).command() instanceof SystemCommand.SetReplicas set) {
        return set.replicas();
      }
    }
    return inForce(c);
  }

  private SortedSet<Integer> inForce(ClusterConfiguration c) {
    return c.replicas().isEmpty() ? new TreeSet<>(config.voters()) : c.replicas();
  }

  /** A mistake the operator can see without asking the replicas, or null. */
  private String problem(MemberOperation operation, int replica, int other,
      SortedSet<Integer> latest, ClusterConfiguration now) {
    int joining = operation == MemberOperation.ADD ? replica
        : operation == MemberOperation.REPLACE ? other : -1;
    int leaving = operation == MemberOperation.ADD ? -1 : replica;
    if (joining >= 0 && !keyed(now).contains(joining)) {
      return "replica " + joining + " has no known key: neither the cluster file lists it"
          + " (listed: " + config.members() + ") nor the replicated configuration records it"
          + " with a key; record its addresses and key (lockstep member add " + joining
          + " --peer HOST:PORT --client HOST:PORT --key PUBLIC-KEY), or list it in every"
          + " replica's file as replica." + joining + ".role=spare";
    }
    if (joining >= 0 && latest.contains(joining)) {
      return "replica " + joining + " is already in the replica set " + latest;
    }
    if (leaving >= 0 && !latest.contains(leaving)) {
      return "replica " + leaving + " is not in the replica set " + latest;
    }
    return joining >= 0 && joining == leaving ? "replace needs two different replicas" : null;
  }

  /**
   * Replicas the rule may admit: the file's, and those the replicated configuration records
   * with a key (the replicas judge with their own files and the same records).
   */
  private SortedSet<Integer> keyed(ClusterConfiguration c) {
    TreeSet<Integer> keyed = new TreeSet<>(config.members());
    c.members().forEach((id, m) -> {
      if (m.hasKey()) {
        keyed.add(id);
      }
    });
    return keyed;
  }

  private static TreeSet<Integer> next(MemberOperation operation, int replica, int other,
      SortedSet<Integer> latest) {
    TreeSet<Integer> next = new TreeSet<>(latest);
    switch (operation) {
      case ADD -> next.add(replica);
      case REMOVE -> next.remove(replica);
      case REPLACE -> {
        next.remove(replica);
        next.add(other);
      }
      case LIST -> { }
    }
    return next;
  }

  /** The configuration for the operator: the set in force, pending changes and spares. */
  private String describe(ClusterConfiguration c) {
    SortedSet<Integer> latest = latest(c);
    List<Integer> spares = keyed(c).stream().filter(r -> !latest.contains(r)).toList();
    StringBuilder pending = new StringBuilder();
    for (PendingChange p : c.pending()) {
      if (p.command() instanceof SystemCommand.SetReplicas set) {
        pending.append(pending.length() == 0 ? "" : ", ").append(set.replicas()).append(" at ")
            .append(p.at());
      }
    }
    return "replica set (ordered, as the replicated configuration holds it): voters "
        + inForce(c) + ", pending " + (pending.length() == 0 ? "none" : pending)
        + ", spares " + spares + "; configuration version " + c.version();
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }
}
