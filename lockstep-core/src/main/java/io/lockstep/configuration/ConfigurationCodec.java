package io.lockstep.configuration;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The binary form of a {@link ClusterConfiguration}, in executor snapshots and in answers to
 * {@link ConfigurationQuery}: {@code long version; int n × client; int n × {client, long at};
 * int n × device; int n × {device, long at}; int n × int replica; int n × {long orderedAt,
 * bytes command}}, sorted as the record keeps them, so equal configurations encode to equal
 * bytes (digests compare them). Reading checks everything the record checks.
 *
 * <p>The full form ({@link #writeFull}, {@link #encodeFull}) appends the replicas' recorded
 * addresses, {@code int n × {int replica, string peer, string client, string http, string
 * redis, bytes key}}; executor snapshots from format version 5 on and the answer to
 * {@link ConfigurationQuery#withMembers} use it. The short form without them stays what
 * {@link ConfigurationQuery#bytes} answers, because clients of earlier builds read that answer
 * strictly and would refuse the extra bytes.
 */
public final class ConfigurationCodec {
  private ConfigurationCodec() {}

  /** Appends {@code c} to {@code out}. */
  public static void write(WireWriter out, ClusterConfiguration c) {
    out.writeLong(c.version());
    out.writeInt(c.clients().size());
    c.clients().forEach(out::writeClient);
    out.writeInt(c.removedClients().size());
    c.removedClients().forEach((client, at) -> out.writeClient(client).writeLong(at));
    out.writeInt(c.devices().size());
    c.devices().forEach(out::writeString);
    out.writeInt(c.removedDevices().size());
    c.removedDevices().forEach((device, at) -> out.writeString(device).writeLong(at));
    out.writeInt(c.replicas().size());
    c.replicas().forEach(out::writeInt);
    out.writeInt(c.pending().size());
    for (PendingChange p : c.pending()) {
      out.writeLong(p.orderedAt()).writeBytes(SystemCommands.encode(p.command()));
    }
  }

  /** Appends {@code c} in the full form: the short form, then the recorded addresses. */
  public static void writeFull(WireWriter out, ClusterConfiguration c) {
    write(out, c);
    out.writeInt(c.members().size());
    c.members().values().forEach(m -> SystemCommands.writeMember(out, m));
  }

  /** The configuration alone in the short form, as the original query answers it. */
  public static byte[] encode(ClusterConfiguration c) {
    WireWriter out = new WireWriter();
    write(out, c);
    return out.toByteArray();
  }

  /** The configuration alone in the full form, as {@link ConfigurationQuery#withMembers}. */
  public static byte[] encodeFull(ClusterConfiguration c) {
    WireWriter out = new WireWriter();
    writeFull(out, c);
    return out.toByteArray();
  }

  /**
   * Reads a configuration that {@link #encodeFull} wrote.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static ClusterConfiguration decodeFull(byte[] bytes) {
    WireReader in = new WireReader(bytes, "configuration");
    ClusterConfiguration c = readFull(in);
    in.end();
    return c;
  }

  /** Reads one configuration in the full form from {@code in}, leaving what follows it. */
  public static ClusterConfiguration readFull(WireReader in) {
    ClusterConfiguration c = read(in);
    int n = in.readCount("member", 24);
    TreeMap<Integer, MemberAddresses> members = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      MemberAddresses m = SystemCommands.readMember(in);
      if (members.put(m.replica(), m) != null || members.lastKey() != m.replica()) {
        throw in.malformed("member addresses out of order or repeated at replica "
            + m.replica());
      }
    }
    return new ClusterConfiguration(c.version(), c.clients(), c.removedClients(), c.devices(),
        c.removedDevices(), c.replicas(), c.pending(), members);
  }

  /**
   * Reads a configuration that {@link #encode} wrote.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static ClusterConfiguration decode(byte[] bytes) {
    WireReader in = new WireReader(bytes, "configuration");
    ClusterConfiguration c = read(in);
    in.end();
    return c;
  }

  /** Reads one configuration from {@code in}, leaving what follows it. */
  public static ClusterConfiguration read(WireReader in) {
    long version = in.readLong();
    TreeSet<ClientId> clients = new TreeSet<>();
    int n = in.readCount("admitted client", 5);
    for (int i = 0; i < n; i++) {
      clients.add(in.readClient("admitted client"));
    }
    TreeMap<ClientId, Long> removedClients = new TreeMap<>();
    n = in.readCount("removed client", 13);
    for (int i = 0; i < n; i++) {
      removedClients.put(in.readClient("removed client"), in.readLong());
    }
    TreeSet<String> devices = new TreeSet<>();
    n = in.readCount("device", 5);
    for (int i = 0; i < n; i++) {
      devices.add(readDevice(in));
    }
    TreeMap<String, Long> removedDevices = new TreeMap<>();
    n = in.readCount("removed device", 13);
    for (int i = 0; i < n; i++) {
      removedDevices.put(readDevice(in), in.readLong());
    }
    return readRest(in, version, clients, removedClients, devices, removedDevices);
  }

  private static ClusterConfiguration readRest(WireReader in, long version,
      TreeSet<ClientId> clients, TreeMap<ClientId, Long> removedClients, TreeSet<String> devices,
      TreeMap<String, Long> removedDevices) {
    TreeSet<Integer> replicas = new TreeSet<>();
    int n = in.readCount("replica", 4);
    for (int i = 0; i < n; i++) {
      replicas.add(in.readInt());
    }
    List<PendingChange> pending = readPending(in);
    try {
      check(removedClients, removedDevices, replicas, in);
      return new ClusterConfiguration(version, clients, removedClients, devices, removedDevices,
          replicas, pending);
    } catch (WireReader.MalformedException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
  }

  private static void check(Map<ClientId, Long> removedClients,
      Map<String, Long> removedDevices, TreeSet<Integer> replicas, WireReader in) {
    if (!replicas.isEmpty() && replicas.first() < 0) {
      throw in.malformed("negative replica id " + replicas.first());
    }
    for (long at : removedClients.values()) {
      if (at < 1) {
        throw in.malformed("a client removed at position " + at);
      }
    }
    for (long at : removedDevices.values()) {
      if (at < 1) {
        throw in.malformed("a device removed at position " + at);
      }
    }
  }

  private static List<PendingChange> readPending(WireReader in) {
    int n = in.readCount("pending change", 12);
    List<PendingChange> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long orderedAt = in.readLong();
      SystemCommand command = SystemCommands.decode(in.readBytes("pending change"));
      try {
        pending.add(new PendingChange(orderedAt, command.at(), command));
      } catch (IllegalArgumentException e) {
        throw in.malformed(e.getMessage());
      }
      if (i > 0 && command.at() < pending.get(i - 1).at()) {
        throw in.malformed("pending changes out of order at " + command.at());
      }
    }
    return pending;
  }

  private static String readDevice(WireReader in) {
    String device = in.readString("device");
    try {
      SystemCommand.checkDevice(device);
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
    return device;
  }
}
