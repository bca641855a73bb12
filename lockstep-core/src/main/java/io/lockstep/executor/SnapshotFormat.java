package io.lockstep.executor;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.SnapshotData;
import io.lockstep.request.Reply;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The executor's versioned binary snapshot format (X2). Version 5, written now, big-endian:
 *
 * <pre>
 * int magic "LSXE", int version (5)
 * long appliedPosition, long time
 * bytes executor                                  (bytes = int length + content):
 *   int sessions × { client, long lastSequence, long lastUsed,
 *                    int replies × { long sequence, byte status, bytes value, string reason,
 *                                    long position, long configVersion },
 *                    int buffered × { long sequence, long position, bytes command,
 *                                     bool refused, [string refusal] } }
 *   long nextCreation
 *   int scheduled × { long due, long creation, byte kind, client, bytes command }
 *   int clients × { client, int sequences × { long sequence,
 *                                             int copies × { client copyFrom, bytes copy } } }
 *   configuration, full form                      (see {@link ConfigurationCodec#writeFull})
 * machine: { int length (1..65536), bytes }* int 0   (see {@link MachineChunks})
 * int CRC32C of every byte before it
 * </pre>
 *
 * <p>The machine's part comes last and in chunks so that it can be streamed: the state machine
 * writes its captured state straight into the file (or digest) without the whole encoding ever
 * being in memory, and restoring reads it back the same way. The executor's own part (sessions,
 * timers, copies) is bounded by its limits and is encoded in memory when captured.
 *
 * <p>Version 4 wrote the configuration in its short form, without the replicas' recorded
 * addresses (they read as none). Version 3 had neither the configuration (it reads as the initial one) nor the replies'
 * configuration versions (they read as 0); it is streamed like version 4. Version 2 had {@code bytes machine} right after the time, then the executor's fields
 * unwrapped; version 1 (written before sessions kept a window of replies) had one reply per
 * session, {@code byte status, bytes value, string reason, long position}, in place of the
 * replies list. Both are still read, so a data directory written by an earlier build still
 * starts.
 *
 * <p>Replica ids are not encoded: snapshots of correct replicas at one position are
 * byte-identical, which is what makes their digests comparable (S1) and lets one replica's
 * snapshot install on another.
 */
final class SnapshotFormat {
  static final int MAGIC = 0x4C535845;
  static final int VERSION = 5;
  /** The first version whose machine part is streamed; earlier ones are decoded whole. */
  static final int FIRST_STREAMED = 3;
  private static final int TRAILER = 4;
  private static final int HEADER = 8 + 8 + 8 + 4;
  private static final int BUFFER = 64 * 1024;

  private SnapshotFormat() {}

  /** The executor's own part of a version-3 snapshot, encoded when the snapshot is captured. */
  static byte[] encodeExecutorPart(List<Session> sessions, long nextCreation,
      List<Scheduled> scheduled,
      TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies,
      ClusterConfiguration configuration) {
    WireWriter out = new WireWriter();
    out.writeInt(sessions.size());
    sessions.forEach(s -> writeSession(out, s));
    out.writeLong(nextCreation);
    out.writeInt(scheduled.size());
    scheduled.forEach(s -> writeScheduled(out, s));
    writeCopies(out, copies);
    ConfigurationCodec.writeFull(out, configuration);
    return out.toByteArray();
  }

  /**
   * Writes a version-3 snapshot to {@code sink}, streaming the machine's part; leaves the sink
   * open.
   */
  static void write(long applied, long time, byte[] executorPart, SnapshotWriter machine,
      OutputStream sink) throws IOException {
    BufferedOutputStream buffered = new BufferedOutputStream(sink, BUFFER);
    CRC32C crc = new CRC32C();
    DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(applied);
    out.writeLong(time);
    out.writeInt(executorPart.length);
    out.write(executorPart);
    try (MachineChunks.Writer chunks = new MachineChunks.Writer(out)) {
      machine.writeTo(chunks);
    }
    out.flush();
    int value = (int) crc.getValue();
    buffered.write(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8),
        (byte) value});
    buffered.flush();
  }

  /** The version in a snapshot's header; checks its length and magic first. */
  static int version(SnapshotData data) {
    if (data.size() < 8 + TRAILER) {
      throw new IllegalArgumentException(
          "corrupt executor snapshot: only " + data.size() + " bytes");
    }
    WireReader in = new WireReader(data.read(0, 8), 8, "corrupt executor snapshot");
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw in.malformed("bad magic 0x" + Integer.toHexString(magic));
    }
    return in.readInt();
  }

  /**
   * Checks a snapshot's CRC32C trailer by streaming it once, so that a corrupt snapshot is
   * refused before anything is restored from it.
   */
  static void checkChecksum(SnapshotData data) throws IOException {
    long body = data.size() - TRAILER;
    CRC32C crc = new CRC32C();
    try (InputStream in = data.open()) {
      byte[] buffer = new byte[BUFFER];
      long left = body;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IllegalArgumentException("corrupt executor snapshot: shorter than its size");
        }
        crc.update(buffer, 0, n);
        left -= n;
      }
      int stored = new DataInputStream(in).readInt();
      if (stored != (int) crc.getValue()) {
        throw new IllegalArgumentException("corrupt executor snapshot: CRC32C mismatch (stored 0x"
            + Integer.toHexString(stored) + ", computed 0x"
            + Integer.toHexString((int) crc.getValue()) + ")");
      }
    }
  }

  /**
   * A version-3 snapshot opened for restoring: its executor part decoded (the image's machine is
   * null) and the stream positioned at the machine's chunks.
   */
  record Opened(ExecutorImage image, DataInputStream in, MachineChunks.Reader machine) {}

  /** Reads a version-3, 4 or 5 snapshot's header and executor part; its checksum was checked. */
  static Opened open(InputStream raw, long size, int replica) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(raw, BUFFER));
    in.skipNBytes(4);
    int version = in.readInt();
    if (version > VERSION) {
      throw new IllegalArgumentException("corrupt executor snapshot: unsupported version "
          + version + " (this build reads 1 to " + VERSION + ")");
    }
    long applied = in.readLong();
    long time = in.readLong();
    if (applied < 0) {
      throw new IllegalArgumentException("corrupt executor snapshot: negative applied position "
          + applied);
    }
    int length = in.readInt();
    if (length < 0 || length > size - HEADER - TRAILER) {
      throw new IllegalArgumentException("corrupt executor snapshot: executor part of " + length
          + " bytes does not fit in " + size);
    }
    WireReader part = new WireReader(in.readNBytes(length), length, "corrupt executor snapshot");
    List<Session> sessions = readSessions(part, applied, replica, version);
    long nextCreation = part.readLong();
    List<Scheduled> scheduled = readScheduled(part, nextCreation);
    TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies = readCopies(part);
    ClusterConfiguration configuration = version < 4 ? ClusterConfiguration.INITIAL
        : version == 4 ? ConfigurationCodec.read(part) : ConfigurationCodec.readFull(part);
    if (part.remaining() != 0) {
      throw part.malformed(part.remaining() + " unexpected trailing bytes in the executor part");
    }
    ExecutorImage image = new ExecutorImage(applied, time, null, sessions, nextCreation,
        scheduled, copies, configuration);
    return new Opened(image, in, new MachineChunks.Reader(in));
  }

  /** After the machine restored itself: it must have read its part whole, then the trailer. */
  static void close(Opened opened) throws IOException {
    long unread = opened.machine().drain();
    if (unread > 0) {
      throw new IllegalArgumentException("corrupt executor snapshot: the state machine left "
          + unread + " bytes of its state unread");
    }
    opened.in().skipNBytes(TRAILER);
    if (opened.in().read() >= 0) {
      throw new IllegalArgumentException("corrupt executor snapshot: bytes after the trailer");
    }
  }

  /**
   * Decodes and checks a snapshot of version 1 or 2 (version 3 is restored by streaming).
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
    if (version != 2 && version != 1) {
      throw in.malformed("unsupported version " + version + " (this build reads 1 to "
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
    return new ExecutorImage(applied, time, machine, sessions, nextCreation, scheduled, copies,
        ClusterConfiguration.INITIAL);
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
      out.writeLong(reply.configVersion());
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
        session.executed(readReply(in, client, lastSequence, replica, version), 1);
      } else {
        readReplies(in, session, replica, version);
      }
      readBuffered(in, session, applied);
      sessions.add(session);
    }
    return sessions;
  }

  /** The cached replies: consecutive sequence numbers ending at the session's last one. */
  private static void readReplies(WireReader in, Session session, int replica, int version) {
    long last = session.lastSequence;
    int count = in.readCount("cached reply", 25);
    for (int i = 0; i < count; i++) {
      long sequence = in.readLong();
      if (sequence < 1 || sequence > last || (i > 0 && sequence != session.lastSequence + 1)) {
        throw in.malformed("cached reply " + session.client + "#" + sequence + " out of order"
            + " (last executed " + last + ")");
      }
      session.executed(readReply(in, session.client, sequence, replica, version),
          Integer.MAX_VALUE);
    }
    if (count == 0 || session.lastSequence != last) {
      throw in.malformed("session " + session.client + " lacks the reply of its last request #"
          + last);
    }
  }

  private static Reply readReply(WireReader in, ClientId client, long sequence, int replica,
      int version) {
    int status = in.readByte();
    if (status >= Reply.Status.values().length) {
      throw in.malformed("unknown reply status " + status + " for " + client);
    }
    byte[] value = in.readBytes("reply value");
    String reason = in.readString("reply reason");
    long position = in.readLong();
    long configVersion = version >= 4 ? in.readLong() : 0;
    return new Reply(client, sequence, Reply.Status.values()[status], value, reason, position,
        replica, configVersion);
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
