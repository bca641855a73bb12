package io.lockstep.configuration;

import io.lockstep.machine.ClientId;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration as every replica holds it at one position (paper §7, S20): what a client
 * or device receives when it polls ({@link ConfigurationQuery}). Immutable.
 *
 * <p>Admission is open: a client or device that the configuration does not name is admitted,
 * as in a cluster that never changed its configuration; who may connect at all is decided by
 * the transport's keys. {@code clients} and {@code devices} list those an operator added;
 * {@code removedClients} and {@code removedDevices} those removed, each with the stated
 * position of its removal, which is what the executor enforces. Adding a removed one again
 * readmits it.
 *
 * @param version counts every change to what this record says: an ordered change (it joins
 *     {@code pending}) and a change taking effect each add one, so a reply carrying a larger
 *     version tells its client there is something new to poll
 * @param clients clients added by an operator
 * @param removedClients removed clients and the stated position of their removal
 * @param devices output devices added by an operator
 * @param removedDevices removed output devices and the stated position of their removal
 * @param replicas the replica set as the executor sees it: the voters of the protocol's latest
 *     membership entry or {@link SystemCommand.SetReplicas}, whichever came later; empty until
 *     either (then the cluster file's replicas)
 * @param pending ordered changes waiting for their stated positions, in the order they apply
 * @param members where replicas can be reached, by id, as {@link SystemCommand.SetMember}
 *     recorded them (empty until an operator records one: the cluster file is the bootstrap,
 *     and a record here wins over it); may name replicas outside {@code replicas} (one being
 *     added, or removed and kept so that adding it again needs no addresses)
 */
public record ClusterConfiguration(
    long version,
    SortedSet<ClientId> clients,
    SortedMap<ClientId, Long> removedClients,
    SortedSet<String> devices,
    SortedMap<String, Long> removedDevices,
    SortedSet<Integer> replicas,
    List<PendingChange> pending,
    SortedMap<Integer, MemberAddresses> members) {

  /** The configuration of a cluster that never changed it: everyone admitted, nothing pending. */
  public static final ClusterConfiguration INITIAL = new ClusterConfiguration(0, new TreeSet<>(),
      new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), new TreeSet<>(), List.of());

  public ClusterConfiguration {
    if (version < 0) {
      throw new IllegalArgumentException("version must not be negative, was " + version);
    }
    clients = Collections.unmodifiableSortedSet(new TreeSet<>(clients));
    removedClients = Collections.unmodifiableSortedMap(new TreeMap<>(removedClients));
    devices = Collections.unmodifiableSortedSet(new TreeSet<>(devices));
    removedDevices = Collections.unmodifiableSortedMap(new TreeMap<>(removedDevices));
    replicas = Collections.unmodifiableSortedSet(new TreeSet<>(replicas));
    pending = List.copyOf(Objects.requireNonNull(pending, "pending"));
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
    members.forEach((id, m) -> {
      if (m.replica() != id) {
        throw new IllegalArgumentException("addresses of replica " + m.replica()
            + " filed under " + id);
      }
    });
    for (ClientId c : clients) {
      if (removedClients.containsKey(c)) {
        throw new IllegalArgumentException("client " + c + " is both admitted and removed");
      }
    }
    for (String d : devices) {
      if (removedDevices.containsKey(d)) {
        throw new IllegalArgumentException("device " + d + " is both admitted and removed");
      }
    }
  }

  /** The configuration of an earlier format that had no member addresses. */
  public ClusterConfiguration(long version, SortedSet<ClientId> clients,
      SortedMap<ClientId, Long> removedClients, SortedSet<String> devices,
      SortedMap<String, Long> removedDevices, SortedSet<Integer> replicas,
      List<PendingChange> pending) {
    this(version, clients, removedClients, devices, removedDevices, replicas, pending,
        new TreeMap<>());
  }

  /** The stated position at which {@code client} was removed; empty if it is admitted. */
  public Optional<Long> clientRemovedAt(ClientId client) {
    return Optional.ofNullable(removedClients.get(client));
  }

  /** True unless {@code device} was removed (and not added again). */
  public boolean deviceEnabled(String device) {
    return !removedDevices.containsKey(device);
  }

  /**
   * The final refusal a removed client's requests get, e.g. "client 7 was removed from the
   * configuration at position 1200". Built from the configuration alone, so every replica
   * gives the same text.
   */
  public static String removedClientReason(ClientId client, long at) {
    return "client " + client + " was removed from the configuration at position " + at;
  }

  /** True if {@code reason} is a {@link #removedClientReason} refusal (final: never retry). */
  public static boolean removedClient(String reason) {
    return reason != null && reason.startsWith("client ")
        && reason.contains(" was removed from the configuration at position ");
  }

  /** This configuration with {@code change} applied; the version is the caller's. */
  ClusterConfiguration with(SystemCommand change, long version, List<PendingChange> pending) {
    TreeSet<ClientId> c = new TreeSet<>(clients);
    TreeMap<ClientId, Long> rc = new TreeMap<>(removedClients);
    TreeSet<String> d = new TreeSet<>(devices);
    TreeMap<String, Long> rd = new TreeMap<>(removedDevices);
    SortedSet<Integer> r = replicas;
    if (change instanceof SystemCommand.AddClient a) {
      c.add(a.client());
      rc.remove(a.client());
    } else if (change instanceof SystemCommand.RemoveClient a) {
      c.remove(a.client());
      rc.put(a.client(), a.at());
    } else if (change instanceof SystemCommand.AddDevice a) {
      d.add(a.device());
      rd.remove(a.device());
    } else if (change instanceof SystemCommand.RemoveDevice a) {
      d.remove(a.device());
      rd.put(a.device(), a.at());
    } else if (change instanceof SystemCommand.SetReplicas a) {
      r = a.replicas();
    }
    return new ClusterConfiguration(version, c, rc, d, rd, r, pending, members);
  }

  /** This configuration with another replica set and version. */
  ClusterConfiguration withReplicas(SortedSet<Integer> newReplicas, long newVersion) {
    return new ClusterConfiguration(newVersion, clients, removedClients, devices, removedDevices,
        newReplicas, pending, members);
  }

  /** This configuration with another list of pending changes and version. */
  ClusterConfiguration withPending(List<PendingChange> newPending, long newVersion) {
    return new ClusterConfiguration(newVersion, clients, removedClients, devices, removedDevices,
        replicas, newPending, members);
  }

  /** This configuration with {@code member}'s record replacing any earlier one. */
  ClusterConfiguration withMember(MemberAddresses member, long newVersion) {
    TreeMap<Integer, MemberAddresses> m = new TreeMap<>(members);
    m.put(member.replica(), member);
    return new ClusterConfiguration(newVersion, clients, removedClients, devices, removedDevices,
        replicas, pending, m);
  }
}
