package io.lockstep.configuration;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import java.util.TreeSet;

/**
 * The binary form of {@link SystemCommand}s (the command bytes of a request from
 * {@link #ADMIN}) and of the receipt the executor replies with. Big-endian through the core's
 * {@link WireWriter}: {@code byte version (1), byte type, fields, long at}. Decoding is strict:
 * an unknown version or type, a bad field, truncation or trailing bytes throw
 * {@link IllegalArgumentException} with a reason that is the same on every replica, since the
 * executor replies with it.
 */
public final class SystemCommands {
  /**
   * The reserved issuer of system commands. Its requests are never given to the state machine
   * and the user's authorizer never sees them. The executor cannot tell who sent a request, so
   * the runtime must let only an operator speak as this client (the server takes its requests
   * only from a connection that proved its key, or signed with the cluster secret).
   */
  public static final ClientId ADMIN = ClientId.of("lockstep:admin");

  /**
   * Prefix of the administrator's other sessions ({@code lockstep:admin/…}). The executor's
   * session is per client id and its sequence numbers must follow on from the last one, which
   * a one-shot command line tool cannot know; so each such tool invocation issues its command
   * in a fresh session of its own, starting at sequence 1, and the executor treats every such
   * session as the administrator.
   */
  public static final String ADMIN_SESSION_PREFIX = ADMIN.value() + "/";

  private static final int VERSION = 1;
  private static final int ADD_CLIENT = 1;
  private static final int REMOVE_CLIENT = 2;
  private static final int ADD_DEVICE = 3;
  private static final int REMOVE_DEVICE = 4;
  private static final int SET_REPLICAS = 5;
  private static final int SET_MEMBER = 6;
  /** More replicas than any cluster has; bounds what a malformed count can allocate. */
  private static final int MAX_REPLICAS = 1024;

  private SystemCommands() {}

  /** True if {@code client} is the administrator: {@link #ADMIN} or one of its sessions. */
  public static boolean isAdmin(ClientId client) {
    return client.equals(ADMIN) || client.value().startsWith(ADMIN_SESSION_PREFIX);
  }

  /** The administrator's session named {@code suffix} ({@code lockstep:admin/suffix}). */
  public static ClientId adminSession(String suffix) {
    return ClientId.of(ADMIN_SESSION_PREFIX + suffix);
  }

  /** Encodes a command for a request from {@link #ADMIN}. */
  public static byte[] encode(SystemCommand command) {
    WireWriter out = new WireWriter().writeByte(VERSION);
    if (command instanceof SystemCommand.AddClient c) {
      out.writeByte(ADD_CLIENT).writeClient(c.client());
    } else if (command instanceof SystemCommand.RemoveClient c) {
      out.writeByte(REMOVE_CLIENT).writeClient(c.client());
    } else if (command instanceof SystemCommand.AddDevice d) {
      out.writeByte(ADD_DEVICE).writeString(d.device());
    } else if (command instanceof SystemCommand.RemoveDevice d) {
      out.writeByte(REMOVE_DEVICE).writeString(d.device());
    } else if (command instanceof SystemCommand.SetReplicas r) {
      out.writeByte(SET_REPLICAS).writeInt(r.replicas().size());
      r.replicas().forEach(out::writeInt);
    } else if (command instanceof SystemCommand.SetMember m) {
      out.writeByte(SET_MEMBER);
      writeMember(out, m.member());
    } else {
      throw new IllegalArgumentException("unknown system command " + command);
    }
    return out.writeLong(command.at()).toByteArray();
  }

  /**
   * Decodes a command.
   *
   * @throws IllegalArgumentException saying what is wrong with the bytes
   */
  public static SystemCommand decode(byte[] bytes) {
    WireReader in = new WireReader(bytes, "system command");
    int version = in.readByte();
    if (version != VERSION) {
      throw in.malformed("unknown version " + version + " (this build reads " + VERSION + ")");
    }
    int type = in.readByte();
    SystemCommand command;
    try {
      command = switch (type) {
        case ADD_CLIENT -> new SystemCommand.AddClient(in.readClient("client"), readAt(in));
        case REMOVE_CLIENT -> new SystemCommand.RemoveClient(in.readClient("client"), readAt(in));
        case ADD_DEVICE -> new SystemCommand.AddDevice(in.readString("device"), readAt(in));
        case REMOVE_DEVICE -> new SystemCommand.RemoveDevice(in.readString("device"), readAt(in));
        case SET_REPLICAS -> readReplicas(in);
        case SET_MEMBER -> new SystemCommand.SetMember(readMember(in), readAt(in));
        default -> throw in.malformed("unknown command type " + type);
      };
    } catch (WireReader.MalformedException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
    in.end();
    return command;
  }

  private static SystemCommand readReplicas(WireReader in) {
    int count = in.readCount("replica", 4);
    if (count > MAX_REPLICAS) {
      throw in.malformed(count + " replicas, the limit is " + MAX_REPLICAS);
    }
    TreeSet<Integer> replicas = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      replicas.add(in.readInt());
    }
    if (replicas.size() != count) {
      throw in.malformed("a replica is named twice");
    }
    return new SystemCommand.SetReplicas(replicas, readAt(in));
  }

  /** {@code int replica, string peer, string client, string http, string redis, bytes key}. */
  static void writeMember(WireWriter out, MemberAddresses m) {
    out.writeInt(m.replica()).writeString(m.peer()).writeString(m.client())
        .writeString(m.http()).writeString(m.redis()).writeBytes(m.publicKey());
  }

  /** Reads what {@link #writeMember} wrote; the record's checks apply. */
  static MemberAddresses readMember(WireReader in) {
    int replica = in.readInt();
    int most = MemberAddresses.MAX_ADDRESS;
    String peer = in.readString("peer address", most);
    String client = in.readString("client address", most);
    String http = in.readString("http address", most);
    String redis = in.readString("redis address", most);
    byte[] key = in.readBytes("public key", MemberAddresses.MAX_KEY);
    try {
      return new MemberAddresses(replica, peer, client, http, redis, key);
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
  }

  private static long readAt(WireReader in) {
    return in.readLong();
  }

  /** The OK reply's value: the stated position at which the change takes effect. */
  public static byte[] receipt(long at) {
    return new WireWriter().writeLong(at).toByteArray();
  }

  /**
   * The stated position in a receipt.
   *
   * @throws IllegalArgumentException if the bytes are not a receipt
   */
  public static long receiptPosition(byte[] value) {
    WireReader in = new WireReader(value, "configuration receipt");
    long at = in.readLong();
    in.end();
    return at;
  }
}
