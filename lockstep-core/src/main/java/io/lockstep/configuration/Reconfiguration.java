package io.lockstep.configuration;

import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The executor's configuration component (paper §7, S20): the {@link ClusterConfiguration} in
 * force and the changes waiting for their stated positions. The executor calls
 * {@link #order} when it executes a system command and {@link #takeEffect} before each
 * position it applies; both depend only on the order, so every replica holds the same
 * configuration at the same position.
 *
 * <p>Why a future position rather than "at once": a change applied at its own position would
 * be just as deterministic, but clients and output devices could only learn of it after it
 * bound them. Stating the position ahead lets them poll the pending change first (a device can
 * stop before it is disabled; a client sees it is about to be removed). The rule is the
 * executor's, not Raft's membership rule (a replica acts on a configuration entry as soon as
 * its log holds it): that rule is safe for who votes only because of Raft's own restrictions;
 * applied to executor state it would make replicas disagree, as the simulator shows.
 *
 * <p>Not thread-safe; deterministic.
 */
public final class Reconfiguration {
  /** Most changes waiting at once, so ordered commands cannot grow the state without bound. */
  public static final int MAX_PENDING = 1_000;

  private ClusterConfiguration current = ClusterConfiguration.INITIAL;
  private ReplicaSetCheck replicaSetCheck = ReplicaSetCheck.NONE;

  /**
   * The protocol's rule for replica-set changes ({@link ReplicaSetCheck}); set before the first
   * command is ordered, the same on every replica. It is not replicated state: it comes with
   * the protocol, and a snapshot's restore keeps it.
   */
  public void replicaSetCheck(ReplicaSetCheck check) {
    replicaSetCheck = Objects.requireNonNull(check, "check");
  }

  /** The configuration in force now, with the changes still pending. */
  public ClusterConfiguration current() {
    return current;
  }

  /** The configuration's version (see {@link ClusterConfiguration#version()}). */
  public long version() {
    return current.version();
  }

  /**
   * Orders {@code command}, executed at {@code position}: it joins the pending changes at its
   * stated position, or at {@code position + distance} if it states none.
   *
   * @return the stated position
   * @throws ConfigurationRefusal saying why the change cannot be ordered (the state is unchanged)
   */
  public long order(SystemCommand command, long position, long distance) {
    Objects.requireNonNull(command, "command");
    if (command instanceof SystemCommand.SetMember m) {
      return record(m, position);
    }
    if (command instanceof SystemCommand.SetReplicas) {
      // The protocol's distance is a safety bound, not a courtesy: never shorten it.
      distance = Math.max(distance, replicaSetCheck.minimumDistance());
    }
    long earliest = position + distance;
    long at = command.at() == 0 ? earliest : command.at();
    if (at < earliest) {
      throw new ConfigurationRefusal("stated position " + at + " is too soon: the change was"
          + " ordered at " + position + " and needs a distance of " + distance);
    }
    List<PendingChange> pending = current.pending();
    if (!pending.isEmpty() && at < pending.get(pending.size() - 1).at()) {
      throw new ConfigurationRefusal("stated position " + at + " is before that of a change"
          + " ordered earlier (" + pending.get(pending.size() - 1).at() + "): changes take"
          + " effect in the order they were ordered");
    }
    if (pending.size() >= MAX_PENDING) {
      throw new ConfigurationRefusal(MAX_PENDING + " changes are already pending");
    }
    SystemCommand stated = command.withAt(at);
    checkNotNoop(stated);
    if (stated instanceof SystemCommand.SetReplicas set) {
      String refusal = replicaSetCheck.refusal(latestReplicas(), set.replicas(), keyed());
      if (refusal != null) {
        throw new ConfigurationRefusal(refusal);
      }
    }
    List<PendingChange> next = new ArrayList<>(pending);
    next.add(new PendingChange(position, at, stated));
    current = current.withPending(next, current.version() + 1);
    return at;
  }

  /** Replicas whose addresses the configuration records with a public key. */
  private Set<Integer> keyed() {
    Set<Integer> keyed = new TreeSet<>();
    current.members().forEach((replica, m) -> {
      if (m.hasKey()) {
        keyed.add(replica);
      }
    });
    return keyed;
  }

  /**
   * Records a replica's addresses at once (see {@link SystemCommand.SetMember} for why not at a
   * stated position); the receipt's position is the command's own.
   */
  private long record(SystemCommand.SetMember command, long position) {
    if (command.at() != 0) {
      throw new ConfigurationRefusal("a replica's addresses take effect at their own position;"
          + " a stated position (" + command.at() + ") is refused");
    }
    MemberAddresses member = command.member();
    if (member.equals(current.members().get(member.replica()))) {
      throw new ConfigurationRefusal("replica " + member.replica()
          + "'s addresses are already " + member);
    }
    if (!current.members().containsKey(member.replica())
        && current.members().size() >= MembershipEntry.MAX_VOTERS) {
      throw new ConfigurationRefusal(MembershipEntry.MAX_VOTERS
          + " replicas' addresses are already recorded");
    }
    current = current.withMember(member, current.version() + 1);
    return position;
  }

  /**
   * Applies, in order, every pending change whose stated position is at most
   * {@code position}; called before the request at {@code position} runs.
   *
   * @return the changes that took effect
   */
  public List<PendingChange> takeEffect(long position) {
    List<PendingChange> pending = current.pending();
    int due = 0;
    while (due < pending.size() && pending.get(due).at() <= position) {
      due++;
    }
    if (due == 0) {
      return List.of();
    }
    List<PendingChange> applied = pending.subList(0, due);
    List<PendingChange> rest = pending.subList(due, pending.size());
    ClusterConfiguration next = current;
    long version = current.version();
    for (PendingChange change : applied) {
      next = next.with(change.command(), ++version, rest);
    }
    current = next;
    return List.copyOf(applied);
  }

  /**
   * The protocol committed a new membership (a {@link MembershipEntry} applied at this
   * position): the replica set becomes its voters, and the version moves so that clients and
   * devices poll. Unlike a system command this takes effect at its own position: the protocol
   * already counts quorums in the new membership, so the replica set only reports a fact, and
   * the position at which the executor meets the entry is the same on every replica. A later
   * {@link SystemCommand.SetReplicas} or membership entry replaces it in turn.
   *
   * @return true if the replica set changed
   */
  public boolean followMembership(List<Integer> voters) {
    java.util.SortedSet<Integer> next = new java.util.TreeSet<>(voters);
    if (next.equals(current.replicas())) {
      return false;
    }
    current = current.withReplicas(next, current.version() + 1);
    return true;
  }

  /** The replica set of the last pending change, or the one in force (empty: the initial). */
  private java.util.SortedSet<Integer> latestReplicas() {
    List<PendingChange> pending = current.pending();
    for (int i = pending.size() - 1; i >= 0; i--) {
      if (pending.get(i).command() instanceof SystemCommand.SetReplicas set) {
        return set.replicas();
      }
    }
    return current.replicas();
  }

  /** The refusal for {@code client}'s requests if it was removed; null if it is admitted. */
  public String refusal(ClientId client) {
    Long at = current.removedClients().get(client);
    return at == null ? null : ClusterConfiguration.removedClientReason(client, at);
  }

  /** Replaces the whole state (restoring a snapshot). */
  public void reset(ClusterConfiguration configuration) {
    current = Objects.requireNonNull(configuration, "configuration");
  }

  /**
   * A change that would change nothing, counting pending changes, is refused so that the
   * operator learns of the mistake. Only the latest pending change about the same client,
   * device or replica set matters, so this costs one pass over the pending list and copies
   * nothing (building the configuration as it will be would copy its sets once per pending
   * change: quadratic on the loop thread with a long pending list).
   */
  private void checkNotNoop(SystemCommand change) {
    if (change instanceof SystemCommand.RemoveClient r && SystemCommands.isAdmin(r.client())) {
      throw new ConfigurationRefusal("the administrator " + r.client() + " cannot be removed");
    }
    SystemCommand last = null;
    for (PendingChange p : current.pending()) {
      if (subject(p.command()).equals(subject(change))) {
        last = p.command();
      }
    }
    boolean noop = last == null ? noopNow(change) : last.getClass() == change.getClass()
        && (!(change instanceof SystemCommand.SetReplicas s)
            || s.replicas().equals(((SystemCommand.SetReplicas) last).replicas()));
    if (noop) {
      throw new ConfigurationRefusal(describeNoop(change) + " (counting pending changes)");
    }
  }

  /** True if {@code change} would change nothing in the configuration in force. */
  private boolean noopNow(SystemCommand change) {
    ClusterConfiguration c = current;
    if (change instanceof SystemCommand.AddClient a) {
      return c.clients().contains(a.client());
    } else if (change instanceof SystemCommand.RemoveClient r) {
      return c.removedClients().containsKey(r.client());
    } else if (change instanceof SystemCommand.AddDevice a) {
      return c.devices().contains(a.device());
    } else if (change instanceof SystemCommand.RemoveDevice r) {
      return c.removedDevices().containsKey(r.device());
    }
    return c.replicas().equals(((SystemCommand.SetReplicas) change).replicas());
  }

  private static String describeNoop(SystemCommand change) {
    if (change instanceof SystemCommand.AddClient a) {
      return "client " + a.client() + " is already admitted";
    } else if (change instanceof SystemCommand.RemoveClient r) {
      return "client " + r.client() + " is already removed";
    } else if (change instanceof SystemCommand.AddDevice a) {
      return "device " + a.device() + " is already admitted";
    } else if (change instanceof SystemCommand.RemoveDevice r) {
      return "device " + r.device() + " is already removed";
    }
    return "the replica set is already " + ((SystemCommand.SetReplicas) change).replicas();
  }

  /** What a change is about: one client, one device, or the replica set. */
  private static String subject(SystemCommand change) {
    if (change instanceof SystemCommand.AddClient a) {
      return "client " + a.client();
    } else if (change instanceof SystemCommand.RemoveClient r) {
      return "client " + r.client();
    } else if (change instanceof SystemCommand.AddDevice a) {
      return "device " + a.device();
    } else if (change instanceof SystemCommand.RemoveDevice r) {
      return "device " + r.device();
    }
    return "replicas";
  }
}
