package io.lockstep.server.wire;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of the {@link ClientMessage}s on a replica's client port. Hand-written rather
 * than protobuf (a choice of codec should say why): there is no code generation step, the Java
 * records stay the single source of truth, and every length is bounded before allocation by the
 * shared {@link io.lockstep.storage.codec.BinaryReader}. Layout {@code u8 version, u8 type, i64 tag, fields}:
 *
 * <pre>
 * 1 Submit      Request (storage codec layout)
 * 2 Read        ClientId client, bytes query
 * 3 Replied     ClientId client, i64 sequence, u8 status (0 OK, 1 REJECTED), bytes value,
 *               string reason, i64 position, i32 replica
 * 4 ReadResult  u8 ok, bytes value, string reason
 * 5 Redirect    i32 leaderHint, string leaderAddress, string reason
 * 6 Busy        string reason
 * 7 Member      u8 operation (0 LIST, 1 ADD, 2 REMOVE, 3 REPLACE), i32 replica, i32 other,
 *               i64 issuedAtMillis, bytes nonce (16), bytes mac (32, or a 64-byte signature)
 * 8 MemberResult u8 ok, string text
 * 9 Admin       bytes command, i64 issuedAtMillis, bytes nonce (16), bytes mac (32 or 64)
 * 10 Submit     as 1, from a sender that reads configuration versions (type 11)
 * 11 Replied    as 3, then i64 configVersion (only when it is not 0)
 * 12 AddressBookAsk     (no fields)
 * 13 AddressBookAnswer  i32 count (at most 1024), count × {i32 replica, u8 initialVoter,
 *               string peer, string client, string http, string redis, bytes publicKey}
 * 14 ReadOneReplica     ClientId client, bytes query, i64 minPosition (not negative)
 * 15 OneReplicaResult   u8 outcome (0 ok, 1 behind, 2 refused), bytes value, string reason,
 *               i64 position (not negative), i32 replica
 * 16 Submit     as 10, then bytes clientSignature (exactly 64: Ed25519)
 * 17 Submit     as 10, then an authenticator: u8 count (1 to 64), count × {i32 replica,
 *               16 bytes tag}, no replica twice
 * </pre>
 *
 * <p>A replica of an earlier build closes a connection that sends type 14 as undecodable
 * ("unknown type 14"); a client that reads one replica needs replicas of this build.
 *
 * <p>A signed request (type 16) comes from a client that hands each request to one replica of
 * a Byzantine classic order; an unsigned one is still type 1 or 10, byte for byte as before, so
 * frames of earlier clients decode unchanged. A replica of an earlier build closes a type-16
 * connection as undecodable ("unknown type 16"): upgrade replicas before switching a client to
 * that mode. A signature that is not 64 bytes is refused here, naming its length, rather than
 * handed to the order, which could only refuse it later.
 *
 * <p>An authenticated request (type 17) comes from a client that hands each request to one
 * replica of a PBFT cluster, which relays it; the same compatibility as type 16 holds.
 *
 * <p>Compatibility of the configuration version (paper §7: clients learn the configuration
 * from replies): a replica answers a type-1 request (what earlier clients send) in the type-3
 * layout, without the version, so those clients keep working and merely do not learn; a
 * version of 0 (the configuration never changed) is also sent as type 3. A client of this
 * build sends type 10; a replica of an earlier build closes such a connection as undecodable
 * and logs "unknown type 10" (upgrade replicas before clients).
 *
 * <p>Strict: wrong versions or types, truncation, oversized lengths and trailing bytes are a
 * {@link CodecException} with the field and offset; the replica drops such a frame and counts it.
 */
public final class ClientCodec {
  /** Longest reason or address string accepted. */
  public static final int MAX_TEXT_BYTES = 4096;

  private static final int SUBMIT = 1;
  private static final int READ = 2;
  private static final int REPLIED = 3;
  private static final int READ_RESULT = 4;
  private static final int REDIRECT = 5;
  private static final int BUSY = 6;
  private static final int MEMBER = 7;
  private static final int MEMBER_RESULT = 8;
  private static final int ADMIN = 9;
  private static final int SUBMIT_LEARNING = 10;
  private static final int REPLIED_VERSIONED = 11;
  private static final int ADDRESS_BOOK_ASK = 12;
  private static final int ADDRESS_BOOK_ANSWER = 13;
  private static final int READ_ONE_REPLICA = 14;
  private static final int ONE_REPLICA_RESULT = 15;
  private static final int SUBMIT_SIGNED = 16;
  private static final int SUBMIT_AUTHENTICATED = 17;

  private ClientCodec() {}

  /** Encodes a message. */
  public static byte[] encode(ClientMessage message) {
    BinaryWriter out = new BinaryWriter(96 + payloadSize(message));
    out.writeByte(WireFormat.VERSION).writeByte(type(message)).writeLong(message.tag());
    if (message instanceof ClientMessage.Submit m) {
      out.writeRequest(m.request());
      if (m.clientSignature() != null) {
        out.writeBytes(m.clientSignature());
      }
      if (m.authenticator() != null) {
        out.writeByte(m.authenticator().tags().size());
        for (Authenticator.Tag t : m.authenticator().tags()) {
          out.writeInt(t.replica()).writeRaw(t.tag(), 0, Authenticator.TAG_BYTES);
        }
      }
    } else if (message instanceof ClientMessage.Read m) {
      out.writeClientId(m.client()).writeBytes(m.query());
    } else if (message instanceof ClientMessage.Replied m) {
      Reply r = m.reply();
      out.writeClientId(r.client()).writeLong(r.sequence())
          .writeByte(r.status() == Reply.Status.OK ? 0 : 1).writeBytes(r.value())
          .writeString(clip(r.reason())).writeLong(r.position()).writeInt(r.replica());
      if (r.configVersion() != 0) {
        out.writeLong(r.configVersion());
      }
    } else if (message instanceof ClientMessage.ReadResult m) {
      QueryResult q = m.result();
      out.writeByte(q.ok() ? 1 : 0).writeBytes(q.value()).writeString(clip(q.reason()));
    } else if (message instanceof ClientMessage.Redirect m) {
      out.writeInt(m.leaderHint()).writeString(clip(m.leaderAddress()))
          .writeString(clip(m.reason()));
    } else if (message instanceof ClientMessage.Busy m) {
      out.writeString(clip(m.reason()));
    } else if (message instanceof ClientMessage.Member m) {
      out.writeByte(m.operation().ordinal()).writeInt(m.replica()).writeInt(m.other())
          .writeLong(m.issuedAtMillis()).writeBytes(m.nonce()).writeBytes(m.mac());
    } else if (message instanceof ClientMessage.MemberResult m) {
      out.writeByte(m.ok() ? 1 : 0).writeString(clip(m.text()));
    } else if (message instanceof ClientMessage.Admin m) {
      out.writeBytes(m.command()).writeLong(m.issuedAtMillis()).writeBytes(m.nonce())
          .writeBytes(m.mac());
    } else if (message instanceof ClientMessage.AddressBookAnswer m) {
      writeBook(out, m);
    } else if (message instanceof ClientMessage.ReadOneReplica m) {
      out.writeClientId(m.client()).writeBytes(m.query()).writeLong(m.minPosition());
    } else if (message instanceof ClientMessage.OneReplicaResult m) {
      LocalRead r = m.read();
      out.writeByte(r.ok() ? 0 : r.behind() ? 1 : 2).writeBytes(r.value())
          .writeString(clip(r.reason())).writeLong(r.position()).writeInt(m.replica());
    }
    return out.toByteArray();
  }

  private static int payloadSize(ClientMessage message) {
    if (message instanceof ClientMessage.Submit m) {
      return m.request().command().length + m.request().client().value().length() * 3;
    } else if (message instanceof ClientMessage.Read m) {
      return m.query().length + m.client().value().length() * 3;
    } else if (message instanceof ClientMessage.Replied m) {
      return m.reply().value().length + m.reply().client().value().length() * 3
          + m.reply().reason().length() * 3;
    } else if (message instanceof ClientMessage.ReadResult m) {
      return m.result().value().length + m.result().reason().length() * 3;
    } else if (message instanceof ClientMessage.Admin m) {
      return m.command().length + 64;
    } else if (message instanceof ClientMessage.AddressBookAnswer m) {
      return m.entries().size() * 160;
    } else if (message instanceof ClientMessage.ReadOneReplica m) {
      return m.query().length + m.client().value().length() * 3;
    } else if (message instanceof ClientMessage.OneReplicaResult m) {
      return m.read().value().length + m.read().reason().length() * 3;
    }
    return 256;
  }

  private static int type(ClientMessage message) {
    if (message instanceof ClientMessage.Submit s) {
      if (s.clientSignature() != null) {
        return SUBMIT_SIGNED;
      }
      if (s.authenticator() != null) {
        return SUBMIT_AUTHENTICATED;
      }
      return s.learnsConfiguration() ? SUBMIT_LEARNING : SUBMIT;
    } else if (message instanceof ClientMessage.Read) {
      return READ;
    } else if (message instanceof ClientMessage.Replied r) {
      return r.reply().configVersion() != 0 ? REPLIED_VERSIONED : REPLIED;
    } else if (message instanceof ClientMessage.ReadResult) {
      return READ_RESULT;
    } else if (message instanceof ClientMessage.Redirect) {
      return REDIRECT;
    } else if (message instanceof ClientMessage.Member) {
      return MEMBER;
    } else if (message instanceof ClientMessage.MemberResult) {
      return MEMBER_RESULT;
    } else if (message instanceof ClientMessage.Admin) {
      return ADMIN;
    } else if (message instanceof ClientMessage.AddressBookAsk) {
      return ADDRESS_BOOK_ASK;
    } else if (message instanceof ClientMessage.AddressBookAnswer) {
      return ADDRESS_BOOK_ANSWER;
    } else if (message instanceof ClientMessage.ReadOneReplica) {
      return READ_ONE_REPLICA;
    } else if (message instanceof ClientMessage.OneReplicaResult) {
      return ONE_REPLICA_RESULT;
    }
    return BUSY;
  }

  /** Reasons are for humans: cut rather than fail when one is absurdly long. */
  private static String clip(String text) {
    return text.length() <= MAX_TEXT_BYTES / 4 ? text : text.substring(0, MAX_TEXT_BYTES / 4);
  }

  /**
   * Decodes a message from an untrusted peer or client.
   *
   * @throws CodecException if the bytes are not exactly one valid message
   */
  public static ClientMessage decode(byte[] payload) {
    BinaryReader in = WireFormat.open(payload, "client message");
    int type = in.readByte("type");
    long tag = in.readLong("tag");
    ClientMessage message;
    try {
      message = switch (type) {
        case SUBMIT -> new ClientMessage.Submit(tag, in.readRequest("request"));
        case SUBMIT_LEARNING -> new ClientMessage.Submit(tag, in.readRequest("request"), true);
        case SUBMIT_SIGNED -> readSigned(tag, in);
        case SUBMIT_AUTHENTICATED -> readAuthenticated(tag, in);
        case READ -> new ClientMessage.Read(tag, in.readClientId("client"),
            in.readBytes("query", Request.MAX_COMMAND_BYTES));
        case REPLIED -> new ClientMessage.Replied(tag, readReply(in, false));
        case REPLIED_VERSIONED -> new ClientMessage.Replied(tag, readReply(in, true));
        case READ_RESULT -> new ClientMessage.ReadResult(tag, new QueryResult(tag,
            in.readFlag("ok"), in.readBytes("value", Integer.MAX_VALUE),
            in.readString("reason", MAX_TEXT_BYTES)));
        case REDIRECT -> new ClientMessage.Redirect(tag, in.readInt("leaderHint"),
            in.readString("leaderAddress", MAX_TEXT_BYTES), in.readString("reason", MAX_TEXT_BYTES));
        case BUSY -> new ClientMessage.Busy(tag, in.readString("reason", MAX_TEXT_BYTES));
        case MEMBER -> readMember(tag, in);
        case MEMBER_RESULT -> new ClientMessage.MemberResult(tag, in.readFlag("ok"),
            in.readString("text", MAX_TEXT_BYTES));
        case ADMIN -> new ClientMessage.Admin(tag,
            in.readBytes("command", Request.MAX_COMMAND_BYTES), in.readLong("issuedAtMillis"),
            in.readBytes("nonce", 16), in.readBytes("mac", 64));
        case ADDRESS_BOOK_ASK -> new ClientMessage.AddressBookAsk(tag);
        case ADDRESS_BOOK_ANSWER -> readBook(tag, in);
        case READ_ONE_REPLICA -> new ClientMessage.ReadOneReplica(tag, in.readClientId("client"),
            in.readBytes("query", Request.MAX_COMMAND_BYTES), in.readLong("minPosition"));
        case ONE_REPLICA_RESULT -> readOneReplicaResult(tag, in);
        default -> throw new CodecException("client message: unknown type " + type);
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("client message of type " + type + " is invalid: " + e.getMessage(),
          e);
    }
    in.expectEnd("client message of type " + type);
    return message;
  }

  /** A signed request; the signature's length is checked here, its validity by the order. */
  private static ClientMessage.Submit readSigned(long tag, BinaryReader in) {
    Request request = in.readRequest("request");
    byte[] signature = in.readBytes("request.clientSignature", RequestSignature.LENGTH);
    if (signature.length != RequestSignature.LENGTH) {
      throw new CodecException("request.clientSignature: malformed client signature ("
          + signature.length + " bytes, " + RequestSignature.LENGTH + " expected)");
    }
    return new ClientMessage.Submit(tag, request, true, signature);
  }

  /** An authenticated request; the tags are checked by the replicas it is relayed to. */
  private static ClientMessage.Submit readAuthenticated(long tag, BinaryReader in) {
    Request request = in.readRequest("request");
    int count = in.readByte("authenticator.count");
    java.util.List<Authenticator.Tag> tags = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tags.add(new Authenticator.Tag(in.readInt("authenticator.replica"),
          in.readRaw("authenticator.tag", Authenticator.TAG_BYTES)));
    }
    return new ClientMessage.Submit(tag, request, true, null, new Authenticator(tags));
  }

  private static void writeBook(BinaryWriter out, ClientMessage.AddressBookAnswer answer) {
    out.writeInt(answer.entries().size());
    for (ClientMessage.BookEntry e : answer.entries()) {
      MemberAddresses m = e.addresses();
      out.writeInt(m.replica()).writeByte(e.initialVoter() ? 1 : 0).writeString(m.peer())
          .writeString(m.client()).writeString(m.http()).writeString(m.redis())
          .writeBytes(m.publicKey());
    }
  }

  /** An address book; each entry is checked as {@link MemberAddresses} checks a record. */
  private static ClientMessage.AddressBookAnswer readBook(long tag, BinaryReader in) {
    int count = in.readInt("book.count");
    if (count < 0 || count > ClientMessage.AddressBookAnswer.MAX_ENTRIES) {
      throw new CodecException("book.count: " + count + " entries, the limit is "
          + ClientMessage.AddressBookAnswer.MAX_ENTRIES);
    }
    List<ClientMessage.BookEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int replica = in.readInt("book.replica");
      boolean voter = in.readFlag("book.initialVoter");
      entries.add(new ClientMessage.BookEntry(new MemberAddresses(replica,
          in.readString("book.peer", MemberAddresses.MAX_ADDRESS),
          in.readString("book.client", MemberAddresses.MAX_ADDRESS),
          in.readString("book.http", MemberAddresses.MAX_ADDRESS),
          in.readString("book.redis", MemberAddresses.MAX_ADDRESS),
          in.readBytes("book.publicKey", MemberAddresses.MAX_KEY)), voter));
    }
    return new ClientMessage.AddressBookAnswer(tag, entries);
  }

  private static ClientMessage.OneReplicaResult readOneReplicaResult(long tag, BinaryReader in) {
    int outcome = in.readByte("outcome");
    if (outcome > 2) {
      throw new CodecException("oneReplica.outcome: unknown outcome " + outcome);
    }
    LocalRead read = new LocalRead(outcome == 0, outcome == 1,
        in.readBytes("value", Integer.MAX_VALUE), in.readString("reason", MAX_TEXT_BYTES),
        in.readLong("position"));
    return new ClientMessage.OneReplicaResult(tag, read, in.readInt("replica"));
  }

  private static ClientMessage.Member readMember(long tag, BinaryReader in) {
    int operation = in.readByte("operation");
    ClientMessage.MemberOperation[] all = ClientMessage.MemberOperation.values();
    if (operation >= all.length) {
      throw new CodecException("member.operation: unknown operation " + operation);
    }
    return new ClientMessage.Member(tag, all[operation], in.readInt("replica"),
        in.readInt("other"), in.readLong("issuedAtMillis"), in.readBytes("nonce", 16),
        in.readBytes("mac", 64));
  }

  private static Reply readReply(BinaryReader in, boolean versioned) {
    ClientId client = in.readClientId("reply.client");
    long sequence = in.readLong("reply.sequence");
    int status = in.readByte("reply.status");
    if (status > 1) {
      throw new CodecException("reply.status: unknown status " + status);
    }
    byte[] value = in.readBytes("reply.value", Integer.MAX_VALUE);
    String reason = in.readString("reply.reason", MAX_TEXT_BYTES);
    long position = in.readLong("reply.position");
    int replica = in.readInt("reply.replica");
    long configVersion = 0;
    if (versioned) {
      configVersion = in.readLong("reply.configVersion");
      if (configVersion <= 0) {
        throw new CodecException("reply.configVersion: " + configVersion
            + " in a versioned reply (0 is sent unversioned, negative is never valid)");
      }
    }
    return new Reply(client, sequence, status == 0 ? Reply.Status.OK : Reply.Status.REJECTED,
        value, reason, position, replica, configVersion);
  }
}
