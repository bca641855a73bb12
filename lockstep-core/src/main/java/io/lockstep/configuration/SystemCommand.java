package io.lockstep.configuration;

import io.lockstep.machine.ClientId;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An ordered change to the configuration (paper §7): issued by the reserved client
 * {@link SystemCommands#ADMIN}, ordered like any request, and taking effect at position
 * {@link #at()} (paper: "a stated future position"), so that clients and devices can learn of
 * it before it applies. {@code at == 0} asks the executor to state it: the position the
 * command is ordered at plus the configured distance.
 */
public sealed interface SystemCommand {
  /** Stated position at which the change takes effect; 0 lets the executor state it. */
  long at();

  /** The same change stated at {@code position}. */
  SystemCommand withAt(long position);

  /** Admits a client (again, if it was removed: it starts a new session at sequence 1). */
  record AddClient(ClientId client, long at) implements SystemCommand {
    public AddClient {
      Objects.requireNonNull(client, "client");
      checkAt(at);
    }

    @Override
    public AddClient withAt(long position) {
      return new AddClient(client, position);
    }
  }

  /** Removes a client: its session is dropped and its later requests are refused. */
  record RemoveClient(ClientId client, long at) implements SystemCommand {
    public RemoveClient {
      Objects.requireNonNull(client, "client");
      checkAt(at);
    }

    @Override
    public RemoveClient withAt(long position) {
      return new RemoveClient(client, position);
    }
  }

  /** Admits an output device (again, if it was removed). */
  record AddDevice(String device, long at) implements SystemCommand {
    public AddDevice {
      checkDevice(device);
      checkAt(at);
    }

    @Override
    public AddDevice withAt(long position) {
      return new AddDevice(device, position);
    }
  }

  /** Removes an output device: from its stated position on it must not actuate. */
  record RemoveDevice(String device, long at) implements SystemCommand {
    public RemoveDevice {
      checkDevice(device);
      checkAt(at);
    }

    @Override
    public RemoveDevice withAt(long position) {
      return new RemoveDevice(device, position);
    }
  }

  /**
   * The replica set as the executor sees it (what clients' and devices' voters count), not who
   * votes in the protocol (that is the protocol's own configuration).
   */
  record SetReplicas(SortedSet<Integer> replicas, long at) implements SystemCommand {
    public SetReplicas {
      Objects.requireNonNull(replicas, "replicas");
      replicas = Collections.unmodifiableSortedSet(new TreeSet<>(replicas));
      if (replicas.isEmpty()) {
        throw new IllegalArgumentException("the replica set must not be empty");
      }
      if (replicas.first() < 0) {
        throw new IllegalArgumentException("replica ids must not be negative: " + replicas);
      }
      checkAt(at);
    }

    @Override
    public SetReplicas withAt(long position) {
      return new SetReplicas(replicas, position);
    }
  }

  /**
   * Records where replica {@code member.replica()} can be reached (its addresses and key), so
   * that an operator can add a machine no cluster file names: the replicas dial it and clients
   * send to it from this record. It takes effect at its own position, not at a stated future
   * one ({@code at} must be 0): it binds no client or device, it only says where a replica
   * is, and the membership change that makes it vote is ordered after it. A later record for
   * the same replica replaces it.
   */
  record SetMember(MemberAddresses member, long at) implements SystemCommand {
    public SetMember {
      Objects.requireNonNull(member, "member");
      checkAt(at);
    }

    @Override
    public SetMember withAt(long position) {
      return new SetMember(member, position);
    }
  }

  /** A device name: 1 to {@value ClientId#MAX_LENGTH} printable characters, like a client id. */
  static void checkDevice(String device) {
    if (device == null) {
      throw new IllegalArgumentException("device name must not be null");
    }
    try {
      ClientId.of(device);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device name: " + e.getMessage(), e);
    }
  }

  private static void checkAt(long at) {
    if (at < 0) {
      throw new IllegalArgumentException("stated position must not be negative, was " + at);
    }
  }
}
