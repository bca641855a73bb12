package io.lockstep.order.pbft.wire;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.pbft.Batch;
import io.lockstep.order.pbft.Digest;
import io.lockstep.order.pbft.PbftMessage;
import io.lockstep.order.pbft.Signing;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of every {@link PbftMessage} on the peer port (the PBFT protocol's
 * {@link ProtocolCodec}): {@code u8 version, u8 type, fields}, big-endian, written with the
 * core's {@link WireWriter} and read with its bounds-checked {@link WireReader} (every count
 * and length is checked against the bytes left before anything is allocated). Hand-written for
 * the same reasons as Raft's codec: no generation step, the records stay the one definition of
 * the messages. Layout (digest = 32 raw bytes; batch = i64 time, u32 count, requests; request =
 * client, i64 sequence, u8 kind, bytes command, u8 has-copy [client]; sig = u32 length + bytes):
 *
 * <pre>
 * 1 PrePrepare      i64 view, i64 seq, batch
 * 2 Prepare         i64 view, i64 seq, digest
 * 3 Commit          i64 view, i64 seq, digest
 * 4 Fill            i64 seq, batch
 * 5 CheckpointVote  i64 seq, digest, i64 time, i32 replica, sig
 * 6 ViewChange      i64 newView, i32 replica, i64 stableSeq, u32 n × vote,
 *                   u32 n × (i64 seq, i64 view, digest, batch), u32 n × (i64 seq, i64 view,
 *                   digest), sig
 * 7 NewView         i64 view, u32 n × ViewChange body, u32 n × (i64 seq, batch), sig
 * 8 Status          i64 view, u8 changing, i64 executed, i64 stableSeq,
 *                   u32 n × (i32 replica, i64 silentMillis)
 * 9 Forward         request
 * 10 FetchState     i64 seq, i64 offset
 * 11 StateChunk     i64 seq, i64 offset, i64 total, bytes data
 * </pre>
 *
 * <p>Decoding is strict: an unknown version or type, truncation, trailing bytes, an oversized
 * field or a value the records refuse throws an {@link IllegalArgumentException} naming what
 * and where; the runtime drops the message and counts it.
 */
public final class PbftCodec implements ProtocolCodec {
  /** The one codec instance (stateless). */
  public static final PbftCodec INSTANCE = new PbftCodec();

  /** Payload format version; bumped on any incompatible change. */
  static final int VERSION = 1;
  /** Largest state-transfer chunk accepted. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;
  /** Largest signature accepted (Ed25519's are 64 bytes). */
  static final int MAX_SIGNATURE_BYTES = 512;

  private PbftCodec() {}

  @Override
  public byte[] encode(ProtocolMessage message) {
    if (!(message instanceof PbftMessage m)) {
      throw new IllegalArgumentException("not a PBFT message: " + message);
    }
    WireWriter out = new WireWriter(sizeHint(m)).writeByte(VERSION);
    Encoder.write(out, m);
    return out.toByteArray();
  }

  /**
   * The encoding's size for the two messages that carry a batch (version, kind, view and seq,
   * or seq, then the batch), so that the writer holds it without growing and hands its buffer
   * over without a copy; a small start for the rest.
   */
  private static int sizeHint(PbftMessage m) {
    if (m instanceof PbftMessage.PrePrepare pp) {
      return 18 + pp.batch().encodedSize();
    }
    if (m instanceof PbftMessage.Fill f) {
      return 10 + f.batch().encodedSize();
    }
    return 64;
  }

  @Override
  public ProtocolMessage decode(byte[] payload) {
    WireReader in = new WireReader(payload, "pbft message");
    int version = in.readByte();
    if (version != VERSION) {
      throw in.malformed("unknown version " + version + " (this build speaks " + VERSION + ")");
    }
    PbftMessage message;
    try {
      message = Decoder.read(in);
    } catch (WireReader.MalformedException e) {
      throw e;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw in.malformed("invalid field: " + e.getMessage());
    }
    in.end();
    return message;
  }

  /**
   * The checkpoint votes, view changes and new views the core will verify ({@link
   * Signing#claims}); nothing for the unsigned messages, which are most of the traffic.
   */
  @Override
  public List<SignatureClaim> signatures(int from, ProtocolMessage message) {
    return message instanceof PbftMessage m ? Signing.claims(from, m) : List.of();
  }

  /** Writing, one method per message kind. */
  static final class Encoder {
    private Encoder() {}

    static void write(WireWriter out, PbftMessage m) {
      if (m instanceof PbftMessage.PrePrepare pp) {
        out.writeByte(1).writeLong(pp.view()).writeLong(pp.seq());
        pp.batch().write(out);
      } else if (m instanceof PbftMessage.Prepare p) {
        out.writeByte(2).writeLong(p.view()).writeLong(p.seq()).writeRaw(p.digest().bytes());
      } else if (m instanceof PbftMessage.Commit c) {
        out.writeByte(3).writeLong(c.view()).writeLong(c.seq()).writeRaw(c.digest().bytes());
      } else if (m instanceof PbftMessage.Fill f) {
        out.writeByte(4).writeLong(f.seq());
        f.batch().write(out);
      } else if (m instanceof PbftMessage.CheckpointVote v) {
        vote(out.writeByte(5), v);
      } else if (m instanceof PbftMessage.ViewChange vc) {
        viewChange(out.writeByte(6), vc);
      } else if (m instanceof PbftMessage.NewView nv) {
        newView(out.writeByte(7), nv);
      } else if (m instanceof PbftMessage.Status s) {
        out.writeByte(8).writeLong(s.view()).writeBoolean(s.changingView())
            .writeLong(s.executed()).writeLong(s.stableSeq());
        out.writeInt(s.silentMillis().size());
        // Ascending replica order: the same report always encodes to the same bytes.
        new java.util.TreeMap<>(s.silentMillis())
            .forEach((replica, millis) -> out.writeInt(replica).writeLong(millis));
      } else if (m instanceof PbftMessage.Forward f) {
        Batch.writeRequest(out.writeByte(9), f.request());
      } else if (m instanceof PbftMessage.FetchState f) {
        out.writeByte(10).writeLong(f.seq()).writeLong(f.offset());
      } else if (m instanceof PbftMessage.StateChunk c) {
        out.writeByte(11).writeLong(c.seq()).writeLong(c.offset()).writeLong(c.total())
            .writeBytes(c.data());
      } else if (m instanceof PbftMessage.IncarnationProbe probe) {
        out.writeByte(12).writeLong(probe.incarnation());
      } else if (m instanceof PbftMessage.IncarnationAnswer answer) {
        out.writeByte(13).writeLong(answer.remembered());
      } else if (m instanceof PbftMessage.Suspect suspect) {
        out.writeByte(14).writeLong(suspect.view());
      }
    }

    static void vote(WireWriter out, PbftMessage.CheckpointVote v) {
      out.writeLong(v.seq()).writeRaw(v.state().bytes()).writeLong(v.time())
          .writeInt(v.replica()).writeBytes(v.signature());
    }

    static void viewChange(WireWriter out, PbftMessage.ViewChange vc) {
      out.writeLong(vc.newView()).writeInt(vc.replica()).writeLong(vc.stableSeq());
      out.writeInt(vc.stableProof().size());
      vc.stableProof().forEach(v -> vote(out, v));
      out.writeInt(vc.prepared().size());
      for (PbftMessage.Prepared p : vc.prepared()) {
        out.writeLong(p.seq()).writeLong(p.view()).writeRaw(p.digest().bytes());
        p.batch().write(out);
      }
      out.writeInt(vc.prePrepared().size());
      for (PbftMessage.PrePrepared q : vc.prePrepared()) {
        out.writeLong(q.seq()).writeLong(q.view()).writeRaw(q.digest().bytes());
      }
      out.writeBytes(vc.signature());
    }

    static void newView(WireWriter out, PbftMessage.NewView nv) {
      out.writeLong(nv.view()).writeInt(nv.proofs().size());
      nv.proofs().forEach(vc -> viewChange(out, vc));
      out.writeInt(nv.prePrepares().size());
      for (PbftMessage.PrePrepare pp : nv.prePrepares()) {
        out.writeLong(pp.seq());
        pp.batch().write(out);
      }
      out.writeBytes(nv.signature());
    }
  }

  /** Reading, one method per message kind; every count is bounded by the bytes left. */
  static final class Decoder {
    private Decoder() {}

    static PbftMessage read(WireReader in) {
      int type = in.readByte();
      return switch (type) {
        case 1 -> new PbftMessage.PrePrepare(in.readLong(), in.readLong(), Batch.read(in));
        case 2 -> new PbftMessage.Prepare(in.readLong(), in.readLong(), digest(in));
        case 3 -> new PbftMessage.Commit(in.readLong(), in.readLong(), digest(in));
        case 4 -> new PbftMessage.Fill(in.readLong(), Batch.read(in));
        case 5 -> vote(in);
        case 6 -> viewChange(in);
        case 7 -> newView(in);
        case 8 -> status(in);
        case 9 -> new PbftMessage.Forward(Batch.readRequest(in));
        case 10 -> new PbftMessage.FetchState(in.readLong(), in.readLong());
        case 11 -> new PbftMessage.StateChunk(in.readLong(), in.readLong(), in.readLong(),
            in.readBytes("state chunk", MAX_CHUNK_BYTES));
        case 12 -> new PbftMessage.IncarnationProbe(in.readLong());
        case 13 -> new PbftMessage.IncarnationAnswer(in.readLong());
        case 14 -> new PbftMessage.Suspect(in.readLong());
        default -> throw in.malformed("unknown message type " + type);
      };
    }

    static Digest digest(WireReader in) {
      byte[] bytes = new byte[Digest.LENGTH];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) in.readByte();
      }
      return new Digest(bytes);
    }

    static PbftMessage.Status status(WireReader in) {
      long view = in.readLong();
      boolean changing = in.readBoolean();
      long executed = in.readLong();
      long stableSeq = in.readLong();
      int count = in.readCount("silent replicas", 12);
      if (count > PbftMessage.Status.MAX_REPORTED) {
        throw in.malformed("silence report of " + count + " replicas, at most "
            + PbftMessage.Status.MAX_REPORTED);
      }
      // Canonical form only (ascending replica ids, as written): a frame has one decoding and
      // re-encodes to the same bytes, so a digest or signature over it means one thing.
      java.util.Map<Integer, Long> silent = new java.util.HashMap<>();
      int previous = Integer.MIN_VALUE;
      for (int i = 0; i < count; i++) {
        int replica = in.readInt();
        if (silent.put(replica, in.readLong()) != null) {
          throw in.malformed("replica " + replica + " named twice in a silence report");
        }
        if (i > 0 && replica < previous) {
          throw in.malformed("silence report out of order: replica " + replica + " after "
              + previous);
        }
        previous = replica;
      }
      return new PbftMessage.Status(view, changing, executed, stableSeq, silent);
    }

    static PbftMessage.CheckpointVote vote(WireReader in) {
      return new PbftMessage.CheckpointVote(in.readLong(), digest(in), in.readLong(),
          in.readInt(), in.readBytes("signature", MAX_SIGNATURE_BYTES));
    }

    static PbftMessage.ViewChange viewChange(WireReader in) {
      long newView = in.readLong();
      int replica = in.readInt();
      long stableSeq = in.readLong();
      int votes = in.readCount("stable proof votes", 60);
      List<PbftMessage.CheckpointVote> proof = new ArrayList<>(votes);
      for (int i = 0; i < votes; i++) {
        proof.add(vote(in));
      }
      int preparedCount = in.readCount("prepared entries", 60);
      List<PbftMessage.Prepared> prepared = new ArrayList<>(preparedCount);
      for (int i = 0; i < preparedCount; i++) {
        prepared.add(new PbftMessage.Prepared(in.readLong(), in.readLong(), digest(in),
            Batch.read(in)));
      }
      int qCount = in.readCount("pre-prepared entries", 48);
      List<PbftMessage.PrePrepared> prePrepared = new ArrayList<>(qCount);
      for (int i = 0; i < qCount; i++) {
        prePrepared.add(new PbftMessage.PrePrepared(in.readLong(), in.readLong(), digest(in)));
      }
      return new PbftMessage.ViewChange(newView, replica, stableSeq, proof, prepared,
          prePrepared, in.readBytes("signature", MAX_SIGNATURE_BYTES));
    }

    static PbftMessage.NewView newView(WireReader in) {
      long view = in.readLong();
      int proofCount = in.readCount("view changes", 40);
      List<PbftMessage.ViewChange> proofs = new ArrayList<>(proofCount);
      for (int i = 0; i < proofCount; i++) {
        proofs.add(viewChange(in));
      }
      int ppCount = in.readCount("pre-prepares", 20);
      List<PbftMessage.PrePrepare> prePrepares = new ArrayList<>(ppCount);
      for (int i = 0; i < ppCount; i++) {
        prePrepares.add(new PbftMessage.PrePrepare(view, in.readLong(), Batch.read(in)));
      }
      return new PbftMessage.NewView(view, proofs, prePrepares,
          in.readBytes("signature", MAX_SIGNATURE_BYTES));
    }
  }
}
