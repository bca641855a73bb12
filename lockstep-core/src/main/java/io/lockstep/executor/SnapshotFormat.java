package io.lockstep.executor;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The executor's versioned binary snapshot format (X2). Layout, big-endian:
 *
 * <pre>
 * int magic "LSXE", int version (2)
 * long appliedPosition, long time
 * bytes machine                                   (bytes = int length + content)
 * int sessions × { client, long lastSequence, long lastUsed,
 *                  int replies × { long sequence, byte status, bytes value, string reason,
 *                                  long position },
 *                  int buffered × { long sequence, long position, bytes command,
 *                                   bool refused, [string refusal] } }
 * long nextCreation
 * int scheduled × { long due, long creation, byte kind, client, bytes command }
 * int clients × { client, int sequences × { long sequence,
 *                                           int copies × { client copyFrom, bytes copy } } }
 * int CRC32C of every byte before it
 * </pre>
 *
 * <p>Version 1 (written before sessions kept a window of replies) had one reply per session,
 * {@code byte status, bytes value, string reason, long position}, in place of the replies list;
 * it is still read, as a window holding the last reply only, so a data directory written by an
 * earlier build still starts.
 *
 * <p>Replica ids are not encoded: snapshots of correct replicas at one position are
 * byte-identical, which is what makes their digests comparable (S1) and lets one replica's
 * snapshot install on another.
 */
final class SnapshotFormat {
  static final int MAGIC = 0x4C535845;
  static final int VERSION = 2;
  private static final int TRAILER = 4;

  private SnapshotFormat() {}

  static byte[] encode(ExecutorImage image) {
    WireWriter out = new WireWriter();
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(image.appliedPosition());
    out.writeLong(image.time());
    out.writeBytes(image.machine());
    out.writeInt(image.sessions().size());
    image.sessions().forEach(s -> writeSession(out, s));
    out.writeLong(image.nextCreation());
    out.writeInt(image.scheduled().size());
    image.scheduled().forEach(s -> writeScheduled(out, s));
    writeCopies(out, image.copies());
    byte[] body = out.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    out.writeInt((int) crc.getValue());
    return out.toByteArray();
  }

  /**
   * Decodes and checks a snapshot.
   *
   * @param replica the id to put into cached replies
   * @throws IllegalArgumentException naming what is wrong if the input is not a valid snapshot
   */
  static ExecutorImage decode(byte[] snapshot, int replica) {
    if (snapshot == null) {
      throw new IllegalArgumentException("corrupt executor snapshot: null");
    }
    if (snapshot.length < 8 + TRAILER) {
      throw new IllegalArgumentException(
          "corrupt executor snapshot: only " + snapshot.length + " bytes");
    }
    checkChecksum(snapshot);
    WireReader in = new WireReader(snapshot, snapshot.length - TRAILER, "corrupt executor snapshot");
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw in.malformed("bad magic 0x" + Integer.toHexString(magic));
    }
    int version = in.readInt();
    if (version != VERSION && version != 1) {
      throw in.malformed("unsupported version " + version + " (this build reads 1 and "
          + VERSION + ")");
    }
    long applied = in.readLong();
    long time = in.readLong();
    if (applied < 0) {
      throw in.malformed("negative applied position " + applied);
    }
    byte[] machine = in.readBytes("machine state");
    List<Session> sessions = readSessions(in, applied, replica, version);
    long nextCreation = in.readLong();
    List<Scheduled> scheduled = readScheduled(in, nextCreation);
    TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies = readCopies(in);
    if (in.remaining() != 0) {
      throw in.malformed(in.remaining() + " unexpected trailing bytes");
    }
    return new ExecutorImage(applied, time, machine, sessions, nextCreation, scheduled, copies);
  }

  private static void checkChecksum(byte[] snapshot) {
    int bodyLength = snapshot.length - TRAILER;
    CRC32C crc = new CRC32C();
    crc.update(snapshot, 0, bodyLength);
    int stored = 0;
    for (int i = bodyLength; i < snapshot.length; i++) {
      stored = (stored << 8) | (snapshot[i] & 0xff);
    }
    if (stored != (int) crc.getValue()) {
      throw new IllegalArgumentException("corrupt executor snapshot: CRC32C mismatch (stored 0x"
          + Integer.toHexString(stored) + ", computed 0x"
          + Integer.toHexString((int) crc.getValue()) + ")");
    }
  }

  private static void writeSession(WireWriter out, Session s) {
    out.writeClient(s.client);
    out.writeLong(s.lastSequence);
    out.writeLong(s.lastUsed);
    List<Reply> replies = s.replies();
    out.writeInt(replies.size());
    for (Reply reply : replies) {
      out.writeLong(reply.sequence());
      out.writeByte(reply.status().ordinal());
      out.writeBytes(reply.value());
      out.writeString(reply.reason());
      out.writeLong(reply.position());
    }
    out.writeInt(s.buffered.size());
    for (Map.Entry<Long, Session.Pending> e : s.buffered.entrySet()) {
      out.writeLong(e.getKey());
      out.writeLong(e.getValue().position());
      out.writeBytes(e.getValue().command());
      out.writeBoolean(e.getValue().refusal() != null);
      if (e.getValue().refusal() != null) {
        out.writeString(e.getValue().refusal());
      }
    }
  }

  private static List<Session> readSessions(WireReader in, long applied, int replica,
      int version) {
    int count = in.readCount("session", 40);
    List<Session> sessions = new ArrayList<>(count);
    ClientId previous = null;
    for (int i = 0; i < count; i++) {
      ClientId client = in.readClient("session client");
      if (previous != null && previous.compareTo(client) >= 0) {
        throw in.malformed("sessions not sorted by client at " + client);
      }
      previous = client;
      long lastSequence = in.readLong();
      long lastUsed = in.readLong();
      if (lastSequence < 1 || lastUsed > applied) {
        throw in.malformed("session " + client + " has sequence " + lastSequence
            + " and last use " + lastUsed + " (applied " + applied + ")");
      }
      Session session = new Session(client, lastUsed);
      session.lastSequence = lastSequence;
      if (version == 1) {
        session.executed(readReply(in, client, lastSequence, replica), 1);
      } else {
        readReplies(in, session, replica);
      }
      readBuffered(in, session, applied);
      sessions.add(session);
    }
    return sessions;
  }

  /** The cached replies: consecutive sequence numbers ending at the session's last one. */
  private static void readReplies(WireReader in, Session session, int replica) {
    long last = session.lastSequence;
    int count = in.readCount("cached reply", 25);
    for (int i = 0; i < count; i++) {
      long sequence = in.readLong();
      if (sequence < 1 || sequence > last || (i > 0 && sequence != session.lastSequence + 1)) {
        throw in.malformed("cached reply " + session.client + "#" + sequence + " out of order"
            + " (last executed " + last + ")");
      }
      session.executed(readReply(in, session.client, sequence, replica), Integer.MAX_VALUE);
    }
    if (count == 0 || session.lastSequence != last) {
      throw in.malformed("session " + session.client + " lacks the reply of its last request #"
          + last);
    }
  }

  private static Reply readReply(WireReader in, ClientId client, long sequence, int replica) {
    int status = in.readByte();
    if (status >= Reply.Status.values().length) {
      throw in.malformed("unknown reply status " + status + " for " + client);
    }
    byte[] value = in.readBytes("reply value");
    String reason = in.readString("reply reason");
    long position = in.readLong();
    return new Reply(client, sequence, Reply.Status.values()[status], value, reason, position,
        replica);
  }

  private static void readBuffered(WireReader in, Session session, long applied) {
    int count = in.readCount("buffered request", 21);
    for (int i = 0; i < count; i++) {
      long sequence = in.readLong();
      long position = in.readLong();
      byte[] command = in.readBytes("buffered command");
      String refusal = in.readBoolean() ? in.readString("buffered refusal") : null;
      if (sequence <= session.lastSequence + 1 || position < 1 || position > applied
          || session.buffered.containsKey(sequence)) {
        throw in.malformed("buffered request " + session.client + "#" + sequence + " at position "
            + position + " is inconsistent (last executed " + session.lastSequence + ")");
      }
      session.buffered.put(sequence, new Session.Pending(position, command, refusal));
    }
  }

  private static void writeScheduled(WireWriter out, Scheduled s) {
    out.writeLong(s.due());
    out.writeLong(s.creation());
    out.writeByte(s.kind().ordinal());
    out.writeClient(s.client());
    out.writeBytes(s.command());
  }

  private static List<Scheduled> readScheduled(WireReader in, long nextCreation) {
    int count = in.readCount("scheduled request", 26);
    List<Scheduled> scheduled = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long due = in.readLong();
      long creation = in.readLong();
      int kind = in.readByte();
      if (kind >= Scheduled.Kind.values().length || creation < 0 || creation >= nextCreation) {
        throw in.malformed("scheduled request " + i + " has kind " + kind + " and creation "
            + creation + " (next " + nextCreation + ")");
      }
      ClientId client = in.readClient("scheduled client");
      byte[] command = in.readBytes("scheduled command");
      scheduled.add(new Scheduled(due, creation, Scheduled.Kind.values()[kind], client, command));
    }
    return scheduled;
  }

  private static void writeCopies(
      WireWriter out, TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies) {
    out.writeInt(copies.size());
    copies.forEach((client, bySequence) -> {
      out.writeClient(client);
      out.writeInt(bySequence.size());
      bySequence.forEach((sequence, byReplica) -> {
        out.writeLong(sequence);
        out.writeInt(byReplica.size());
        byReplica.forEach((from, copy) -> {
          out.writeClient(from);
          out.writeBytes(copy);
        });
      });
    });
  }

  private static TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> readCopies(
      WireReader in) {
    TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies = new TreeMap<>();
    int clients = in.readCount("replicated client", 9);
    for (int i = 0; i < clients; i++) {
      ClientId client = in.readClient("replicated client");
      TreeMap<Long, TreeMap<ClientId, byte[]>> bySequence = new TreeMap<>();
      int sequences = in.readCount("logical request", 12);
      for (int j = 0; j < sequences; j++) {
        long sequence = in.readLong();
        TreeMap<ClientId, byte[]> byReplica = new TreeMap<>();
        int count = in.readCount("copy", 9);
        for (int k = 0; k < count; k++) {
          byReplica.put(in.readClient("copy sender"), in.readBytes("copy"));
        }
        bySequence.put(sequence, byReplica);
      }
      copies.put(client, bySequence);
    }
    return copies;
  }
}
