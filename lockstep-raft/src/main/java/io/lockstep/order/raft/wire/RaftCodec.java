package io.lockstep.order.raft.wire;

import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.raft.RaftMessage;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of every {@link RaftMessage} exchanged on the peer port (the Raft protocol's
 * {@link ProtocolCodec}).
 *
 * <p>Hand-written rather than protobuf (a choice of codec should say why): there is no code
 * generation step, the Java records stay the single source of truth for the messages, decoding
 * goes straight into the records with no intermediate generated objects (one copy fewer per
 * entry on the hot path), and every length is bounded before allocation by the shared
 * {@link BinaryReader} that stable storage already uses for log entries and snapshots. Layout:
 * {@code u8 version, u8 type, fields} with big-endian integers; entries and snapshots use the
 * storage codec's layouts ({@link io.lockstep.storage.codec.Codec}).
 *
 * <pre>
 * 1 PreVote                 i64 term, i64 lastLogIndex, i64 lastLogTerm
 * 2 PreVoteResponse         i64 term, u8 granted
 * 3 RequestVote             i64 term, i64 lastLogIndex, i64 lastLogTerm, u8 transfer
 * 4 RequestVoteResponse     i64 term, u8 granted, i64 clock
 * 5 AppendEntries           i64 term, i64 prevLogIndex, i64 prevLogTerm, i64 leaderCommit,
 *                           u32 count, LogEntry × count
 * 6 AppendEntriesResponse   i64 term, u8 flags (1 success, 2 repairing), i64 index,
 *                           i64 hintIndex, i64 hintTerm, i64 clock
 * 7 Heartbeat               i64 term, i64 commit, i64 readContext
 * 8 HeartbeatResponse       i64 term, i64 readContext, i64 clock, SnapshotId held,
 *                           i64 fetching
 * 9 InstallSnapshot         i64 term, i64 index, i64 snapshotTerm, i64 time,
 *                           u32 members × i32, i64 size, i32 crc32c of the whole state,
 *                           i64 offset, u32 length, chunk
 * 10 InstallSnapshotResponse i64 term, i64 index, i64 snapshotIndex, i64 received
 * 11 TimeoutNow             i64 term
 * 12 IncarnationProbe       i64 term, i64 incarnation
 * 13 IncarnationAnswer      i64 term, i64 remembered
 * 14 SnapshotSource         i64 term, i32 source, SnapshotId snapshot
 * 15 FetchSnapshot          i64 term, i64 index, i64 offset
 * 16 SnapshotChunk          i64 term, i32 checksum, then type 9's fields after its type byte
 * 20 NotMember              i64 term, i64 configIndex, u32 voters × i32
 * SnapshotId                i64 index, i64 term, i32 crc32c of the whole state
 * </pre>
 *
 * <p>Decoding is strict: unknown versions and types, truncation, trailing bytes and values the
 * records refuse all become a {@link CodecException} naming the field and offset; the caller
 * drops the message and counts it (untrusted input is validated, never asserted).
 */
public final class RaftCodec implements ProtocolCodec {
  /**
   * Payload format version; bumped on any incompatible change (2: InstallSnapshot carries one
   * chunk, and its response how much of the snapshot the follower holds; 3: AppendEntries and
   * heartbeat responses carry the follower's clock; 4: vote responses carry the voter's clock;
   * 5: heartbeat responses report the follower's latest snapshot, and a snapshot source is
   * named with the snapshot's term and whole checksum; 6: every InstallSnapshot chunk, the
   * leader's own too, carries the whole state's checksum).
   * Types 12 and 13 (incarnation probes) were added without a bump: no existing message
   * changed, and an older build drops them as an unknown type, so a mixed cluster keeps
   * running (only a replica started empty waits for t + 1 answers from newer builds). Types
   * 14 to 16 (snapshots from a replica other than the leader) likewise: an older source drops
   * the request, and the follower falls back to the leader after an election timeout.
   * Type 20 (not a member) likewise: an older removed replica drops it and campaigns on, as
   * before.
   */
  static final int VERSION = 6;

  /** Most entries accepted in one AppendEntries. */
  public static final int MAX_ENTRIES = 1 << 16;

  /** Largest snapshot chunk accepted in one InstallSnapshot. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;

  /** Most members a snapshot's configuration may name. */
  private static final int MAX_MEMBERS = 1024;

  private static final int PRE_VOTE = 1;
  private static final int PRE_VOTE_RESPONSE = 2;
  private static final int REQUEST_VOTE = 3;
  private static final int REQUEST_VOTE_RESPONSE = 4;
  private static final int APPEND = 5;
  private static final int APPEND_RESPONSE = 6;
  private static final int HEARTBEAT = 7;
  private static final int HEARTBEAT_RESPONSE = 8;
  private static final int INSTALL_SNAPSHOT = 9;
  private static final int INSTALL_SNAPSHOT_RESPONSE = 10;
  private static final int TIMEOUT_NOW = 11;
  private static final int INCARNATION_PROBE = 12;
  private static final int INCARNATION_ANSWER = 13;
  private static final int SNAPSHOT_SOURCE = 14;
  private static final int FETCH_SNAPSHOT = 15;
  private static final int SNAPSHOT_CHUNK = 16;
  /** Numbered apart from the snapshot messages, which may grow. */
  private static final int NOT_MEMBER = 20;
  /** AppendEntriesResponse flag: the follower is repairing damaged storage. */
  private static final int REPAIRING = 2;

  /** The codec; it holds no state. */
  public static final RaftCodec INSTANCE = new RaftCodec();

  private RaftCodec() {}

  @Override
  public byte[] encode(ProtocolMessage message) {
    if (!(message instanceof RaftMessage raft)) {
      throw new IllegalArgumentException("not a Raft message: " + message.getClass().getName());
    }
    return write(raft);
  }

  @Override
  public RaftMessage decode(byte[] payload) {
    return read(payload);
  }

  private static byte[] write(RaftMessage message) {
    BinaryWriter out = new BinaryWriter(sizeHint(message));
    out.writeByte(VERSION);
    if (message instanceof RaftMessage.PreVote m) {
      out.writeByte(PRE_VOTE).writeLong(m.term()).writeLong(m.lastLogIndex())
          .writeLong(m.lastLogTerm());
    } else if (message instanceof RaftMessage.PreVoteResponse m) {
      out.writeByte(PRE_VOTE_RESPONSE).writeLong(m.term()).writeByte(m.granted() ? 1 : 0);
    } else if (message instanceof RaftMessage.RequestVote m) {
      out.writeByte(REQUEST_VOTE).writeLong(m.term()).writeLong(m.lastLogIndex())
          .writeLong(m.lastLogTerm()).writeByte(m.transfer() ? 1 : 0);
    } else if (message instanceof RaftMessage.RequestVoteResponse m) {
      out.writeByte(REQUEST_VOTE_RESPONSE).writeLong(m.term()).writeByte(m.granted() ? 1 : 0)
          .writeLong(m.clock());
    } else if (message instanceof RaftMessage.AppendEntries m) {
      writeAppend(out, m);
    } else if (message instanceof RaftMessage.AppendEntriesResponse m) {
      out.writeByte(APPEND_RESPONSE).writeLong(m.term())
          .writeByte((m.success() ? 1 : 0) | (m.repairing() ? REPAIRING : 0))
          .writeLong(m.index()).writeLong(m.hintIndex()).writeLong(m.hintTerm())
          .writeLong(m.clock());
    } else {
      encodeRest(out, message);
    }
    return out.toByteArray();
  }

  /** A buffer size that avoids regrowing while encoding (entries dominate). */
  private static int sizeHint(RaftMessage message) {
    if (message instanceof RaftMessage.AppendEntries m) {
      int size = 64;
      for (LogEntry entry : m.entries()) {
        size += 64 + (entry.request() == null ? 0 : entry.request().command().length
            + entry.request().client().value().length() * 3);
      }
      return size;
    }
    if (message instanceof RaftMessage.InstallSnapshot m) {
      return 128 + m.data().length + 4 * m.members().size();
    }
    if (message instanceof RaftMessage.SnapshotChunk c) {
      return 140 + c.chunk().data().length + 4 * c.chunk().members().size();
    }
    return 64;
  }

  private static void encodeRest(BinaryWriter out, RaftMessage message) {
    if (message instanceof RaftMessage.Heartbeat m) {
      out.writeByte(HEARTBEAT).writeLong(m.term()).writeLong(m.commit()).writeLong(m.readContext());
    } else if (message instanceof RaftMessage.HeartbeatResponse m) {
      writeSnapshotId(out.writeByte(HEARTBEAT_RESPONSE).writeLong(m.term())
          .writeLong(m.readContext()).writeLong(m.clock()), m.held());
      out.writeLong(m.fetching());
    } else if (message instanceof RaftMessage.InstallSnapshot m) {
      writeChunk(out.writeByte(INSTALL_SNAPSHOT), m);
    } else if (message instanceof RaftMessage.SnapshotChunk m) {
      writeChunk(out.writeByte(SNAPSHOT_CHUNK).writeLong(m.term()).writeInt(m.checksum()),
          m.chunk());
    } else if (message instanceof RaftMessage.SnapshotSource m) {
      writeSnapshotId(out.writeByte(SNAPSHOT_SOURCE).writeLong(m.term()).writeInt(m.source()),
          m.snapshot());
    } else if (message instanceof RaftMessage.FetchSnapshot m) {
      out.writeByte(FETCH_SNAPSHOT).writeLong(m.term()).writeLong(m.index()).writeLong(m.offset());
    } else if (message instanceof RaftMessage.InstallSnapshotResponse m) {
      out.writeByte(INSTALL_SNAPSHOT_RESPONSE).writeLong(m.term()).writeLong(m.index())
          .writeLong(m.snapshotIndex()).writeLong(m.received());
    } else if (message instanceof RaftMessage.TimeoutNow m) {
      out.writeByte(TIMEOUT_NOW).writeLong(m.term());
    } else if (message instanceof RaftMessage.IncarnationProbe m) {
      out.writeByte(INCARNATION_PROBE).writeLong(m.term()).writeLong(m.incarnation());
    } else if (message instanceof RaftMessage.IncarnationAnswer m) {
      out.writeByte(INCARNATION_ANSWER).writeLong(m.term()).writeLong(m.remembered());
    } else if (message instanceof RaftMessage.NotMember m) {
      out.writeByte(NOT_MEMBER).writeLong(m.term()).writeLong(m.configIndex())
          .writeInt(m.voters().size());
      m.voters().forEach(out::writeInt);
    } else {
      throw new IllegalArgumentException("unknown Raft message " + message.getClass().getName());
    }
  }

  private static void writeChunk(BinaryWriter out, RaftMessage.InstallSnapshot m) {
    out.writeLong(m.term()).writeLong(m.index()).writeLong(m.snapshotTerm()).writeLong(m.time())
        .writeInt(m.members().size());
    m.members().forEach(out::writeInt);
    out.writeLong(m.size()).writeInt(m.checksum()).writeLong(m.offset()).writeBytes(m.data());
  }

  private static void writeSnapshotId(BinaryWriter out, RaftMessage.SnapshotId id) {
    out.writeLong(id.index()).writeLong(id.term()).writeInt(id.checksum());
  }

  private static RaftMessage.SnapshotId readSnapshotId(BinaryReader in) {
    return new RaftMessage.SnapshotId(in.readLong("snapshot index"), in.readLong("snapshot term"),
        in.readInt("snapshot checksum"));
  }

  private static void writeAppend(BinaryWriter out, RaftMessage.AppendEntries m) {
    out.writeByte(APPEND).writeLong(m.term()).writeLong(m.prevLogIndex())
        .writeLong(m.prevLogTerm()).writeLong(m.leaderCommit()).writeInt(m.entries().size());
    for (LogEntry entry : m.entries()) {
      out.writeLogEntry(entry);
    }
  }

  /**
   * Decodes a message from an untrusted peer.
   *
   * @throws CodecException if the bytes are not exactly one valid message
   */
  private static RaftMessage read(byte[] payload) {
    BinaryReader in = open(payload);
    int type = in.readByte("type");
    RaftMessage message;
    try {
      message = switch (type) {
        case PRE_VOTE -> new RaftMessage.PreVote(in.readLong("term"), in.readLong("lastLogIndex"),
            in.readLong("lastLogTerm"));
        case PRE_VOTE_RESPONSE -> new RaftMessage.PreVoteResponse(in.readLong("term"),
            in.readFlag("granted"));
        case REQUEST_VOTE -> new RaftMessage.RequestVote(in.readLong("term"),
            in.readLong("lastLogIndex"), in.readLong("lastLogTerm"), in.readFlag("transfer"));
        case REQUEST_VOTE_RESPONSE -> new RaftMessage.RequestVoteResponse(in.readLong("term"),
            in.readFlag("granted"), in.readLong("clock"));
        case APPEND -> readAppend(in);
        case APPEND_RESPONSE -> appendResponse(in);
        case HEARTBEAT -> new RaftMessage.Heartbeat(in.readLong("term"), in.readLong("commit"),
            in.readLong("readContext"));
        case HEARTBEAT_RESPONSE -> new RaftMessage.HeartbeatResponse(in.readLong("term"),
            in.readLong("readContext"), in.readLong("clock"), readSnapshotId(in),
            in.readLong("fetching"));
        case INSTALL_SNAPSHOT -> readInstallSnapshot(in);
        case INSTALL_SNAPSHOT_RESPONSE -> new RaftMessage.InstallSnapshotResponse(
            in.readLong("term"), in.readLong("index"), in.readLong("snapshotIndex"),
            in.readLong("received"));
        case TIMEOUT_NOW -> new RaftMessage.TimeoutNow(in.readLong("term"));
        case INCARNATION_PROBE -> new RaftMessage.IncarnationProbe(in.readLong("term"),
            in.readLong("incarnation"));
        case INCARNATION_ANSWER -> new RaftMessage.IncarnationAnswer(in.readLong("term"),
            in.readLong("remembered"));
        case SNAPSHOT_SOURCE -> new RaftMessage.SnapshotSource(in.readLong("term"),
            in.readInt("source"), readSnapshotId(in));
        case FETCH_SNAPSHOT -> new RaftMessage.FetchSnapshot(in.readLong("term"),
            in.readLong("index"), in.readLong("offset"));
        case SNAPSHOT_CHUNK -> readSnapshotChunk(in);
        case NOT_MEMBER -> new RaftMessage.NotMember(in.readLong("term"),
            in.readLong("configIndex"), readMembers(in, "NotMember"));
        default -> throw new CodecException("peer message: unknown type " + type);
      };
    } catch (IllegalArgumentException e) {
      throw new CodecException("peer message of type " + type + " is invalid: " + e.getMessage(), e);
    }
    in.expectEnd("peer message of type " + type);
    return message;
  }

  private static RaftMessage.InstallSnapshot readInstallSnapshot(BinaryReader in) {
    long term = in.readLong("term");
    long index = in.readLong("index");
    long snapshotTerm = in.readLong("snapshotTerm");
    long time = in.readLong("time");
    List<Integer> members = readMembers(in, "InstallSnapshot");
    long size = in.readLong("size");
    int checksum = in.readInt("checksum");
    long offset = in.readLong("offset");
    byte[] chunk = in.readBytes("chunk", MAX_CHUNK_BYTES);
    return new RaftMessage.InstallSnapshot(term, index, snapshotTerm, time, members, size,
        checksum, offset, chunk);
  }

  private static List<Integer> readMembers(BinaryReader in, String what) {
    int count = in.readInt("memberCount");
    if (count < 0 || count > MAX_MEMBERS || (long) count * 4 > in.remaining()) {
      throw new CodecException(what + ": member count "
          + Integer.toUnsignedString(count) + " exceeds the limit or the payload");
    }
    List<Integer> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(in.readInt("members"));
    }
    return members;
  }

  private static RaftMessage.SnapshotChunk readSnapshotChunk(BinaryReader in) {
    long term = in.readLong("term");
    int checksum = in.readInt("checksum");
    return new RaftMessage.SnapshotChunk(term, readInstallSnapshot(in), checksum);
  }

  private static RaftMessage.AppendEntriesResponse appendResponse(BinaryReader in) {
    long term = in.readLong("term");
    int flags = in.readByte("flags");
    if ((flags & ~(1 | REPAIRING)) != 0) {
      throw new CodecException("flags: unknown bits in " + flags);
    }
    return new RaftMessage.AppendEntriesResponse(term, (flags & 1) != 0, in.readLong("index"),
        in.readLong("hintIndex"), in.readLong("hintTerm"), in.readLong("clock"),
        (flags & REPAIRING) != 0);
  }

  private static RaftMessage.AppendEntries readAppend(BinaryReader in) {
    long term = in.readLong("term");
    long prevLogIndex = in.readLong("prevLogIndex");
    long prevLogTerm = in.readLong("prevLogTerm");
    long leaderCommit = in.readLong("leaderCommit");
    int count = in.readInt("count");
    if (count < 0 || count > MAX_ENTRIES) {
      throw new CodecException("AppendEntries: entry count " + Integer.toUnsignedString(count)
          + " exceeds the limit of " + MAX_ENTRIES);
    }
    // Each entry takes at least 25 bytes: refuse counts the payload cannot hold before allocating.
    if ((long) count * 25 > in.remaining()) {
      throw new CodecException("AppendEntries: " + count + " entries cannot fit in the "
          + in.remaining() + " bytes left");
    }
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(in.readLogEntry("entries[" + i + "]"));
    }
    return new RaftMessage.AppendEntries(term, prevLogIndex, prevLogTerm, entries, leaderCommit);
  }

  /** Opens a reader on {@code payload}, checking the version; returns it positioned at the type. */
  private static BinaryReader open(byte[] payload) {
    if (payload == null) {
      throw new CodecException("peer message: no payload");
    }
    if (payload.length < 2) {
      throw new CodecException("peer message: " + payload.length
          + " bytes is too short for a header");
    }
    int version = payload[0] & 0xFF;
    if (version != VERSION) {
      throw new CodecException("peer message: unsupported wire version " + version
          + "; this build speaks version " + VERSION);
    }
    return new BinaryReader(payload, 1, payload.length - 1, Codec.VERSION);
  }
}
