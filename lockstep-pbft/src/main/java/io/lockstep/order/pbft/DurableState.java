package io.lockstep.order.pbft;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.pbft.wire.PbftCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A PBFT replica's hard state: its view, whether it is changing to it, the 2t+1 signed votes
 * proving its stable checkpoint (empty before the first), and its repair state ({@link Repair}:
 * whether it repairs damaged storage, and the sequence number and view at or below which it never
 * votes again), and its wipe check ({@link WipeCheck}: this data directory's incarnation, whether
 * it was checked, and the first incarnation heard of each peer). Written before any message
 * that depends on it leaves ({@link Durable}); small (a few hundred bytes for t = 1, 12 more per
 * remembered peer), and, from version 4 on, the settings its data depend on
 * ({@link PositionSettings}). Version 1, written before repairs existed, reads as no repair;
 * versions 1 and 2, written before wipe checks existed, read as incarnation 0 (none picked yet);
 * versions 1 to 3, written before the settings were recorded, read as {@code settings} null
 * (unknown: {@link PbftProtocol} decides which values such a directory was made with). Version
 * 5 has version 4's layout; it marks a directory written by a build whose pre-prepares and
 * prepares may leave before their records are durable ({@link EarlyVotes}), so that an older
 * build, which would vote again where such a vote was lost, refuses to start on it.
 */
record DurableState(long view, boolean changingView, List<PbftMessage.CheckpointVote> proof,
    boolean repairing, long noVoteThroughSeq, long noVoteThroughView, long incarnation,
    boolean verified, Map<Integer, Long> known, PositionSettings settings) {
  private static final int VERSION = 5;
  /** Most peers' incarnations remembered: far above any real configuration. */
  static final int MAX_KNOWN = 1024;

  DurableState {
    proof = List.copyOf(proof);
    if (known.size() > MAX_KNOWN) {
      throw new IllegalArgumentException(known.size() + " remembered incarnations exceed "
          + MAX_KNOWN);
    }
    known = Map.copyOf(new TreeMap<>(known));
  }

  /** A hard state without a repair or incarnations: what version 1 stored. */
  DurableState(long view, boolean changingView, List<PbftMessage.CheckpointVote> proof) {
    this(view, changingView, proof, false, 0, -1);
  }

  /** A hard state without incarnations: what version 2 stored. */
  DurableState(long view, boolean changingView, List<PbftMessage.CheckpointVote> proof,
      boolean repairing, long noVoteThroughSeq, long noVoteThroughView) {
    this(view, changingView, proof, repairing, noVoteThroughSeq, noVoteThroughView, 0, true,
        Map.of(), null);
  }

  /** The state {@code p} is in now. */
  static DurableState of(Pbft p) {
    return new DurableState(p.view, p.changingView, p.checkpoints.stableProof, p.repair.active,
        p.repair.noVoteThroughSeq, p.repair.noVoteThroughView, p.wipe.incarnation(),
        p.wipe.verified(), p.wipe.known(), PositionSettings.of(p.config));
  }

  /** The same state recorded with {@code values}. */
  DurableState withSettings(PositionSettings values) {
    return new DurableState(view, changingView, proof, repairing, noVoteThroughSeq,
        noVoteThroughView, incarnation, verified, known, values);
  }

  /** The stable checkpoint's sequence number, 0 before the first. */
  long stableSeq() {
    return proof.isEmpty() ? 0 : proof.get(0).seq();
  }

  byte[] encode() {
    WireWriter out = new WireWriter().writeByte(VERSION).writeLong(view)
        .writeBoolean(changingView).writeInt(proof.size());
    for (PbftMessage.CheckpointVote vote : proof) {
      out.writeBytes(PbftCodec.INSTANCE.encode(vote));
    }
    out.writeBoolean(repairing).writeLong(noVoteThroughSeq).writeLong(noVoteThroughView)
        .writeLong(incarnation).writeBoolean(verified).writeInt(known.size());
    new TreeMap<>(known).forEach((peer, first) -> out.writeInt(peer).writeLong(first));
    if (settings == null) {
      throw new IllegalStateException("a hard state is written with the settings it runs with");
    }
    out.writeInt(settings.maxBatch()).writeInt(settings.checkpointInterval())
        .writeInt(settings.window());
    return out.toByteArray();
  }

  /**
   * Decodes a stored hard state.
   *
   * @throws IllegalArgumentException if it is not one this version wrote
   */
  static DurableState decode(byte[] bytes) {
    WireReader in = new WireReader(bytes, "pbft hard state");
    int version = in.readByte();
    if (version < 1 || version > VERSION) {
      throw in.malformed("pbft hard state version " + version + ", expected 1 to " + VERSION);
    }
    long view = in.readLong();
    boolean changing = in.readBoolean();
    int count = in.readCount("checkpoint votes", 4);
    List<PbftMessage.CheckpointVote> proof = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ProtocolMessage vote = PbftCodec.INSTANCE.decode(in.readBytes("checkpoint vote"));
      if (!(vote instanceof PbftMessage.CheckpointVote v)) {
        throw in.malformed("pbft hard state holds a " + vote.getClass().getSimpleName()
            + " where a checkpoint vote belongs");
      }
      proof.add(v);
    }
    boolean repairing = version > 1 && in.readBoolean();
    long noVoteSeq = version > 1 ? in.readLong() : 0;
    long noVoteView = version > 1 ? in.readLong() : -1;
    long incarnation = version > 2 ? in.readLong() : 0;
    boolean verified = version < 3 || in.readBoolean();
    Map<Integer, Long> known = new TreeMap<>();
    int remembered = version > 2 ? in.readCount("remembered incarnations", 12) : 0;
    for (int i = 0; i < remembered; i++) {
      known.put(in.readInt(), in.readLong());
    }
    PositionSettings settings = version > 3 ? settings(in) : null;
    in.end();
    if (view < 0 || noVoteSeq < 0 || noVoteView < -1 || remembered > MAX_KNOWN
        || known.size() != remembered || known.containsValue(0L)) {
      throw in.malformed("pbft hard state with view " + view + ", no votes through seq "
          + noVoteSeq + " and view " + noVoteView + ", " + remembered + " remembered incarnations ("
          + known.size() + " distinct peers, none may be 0)");
    }
    return new DurableState(view, changing, proof, repairing, noVoteSeq, noVoteView,
        incarnation, verified, known, settings);
  }

  private static PositionSettings settings(WireReader in) {
    int maxBatch = in.readInt();
    int interval = in.readInt();
    int window = in.readInt();
    try {
      return new PositionSettings(maxBatch, interval, window);
    } catch (IllegalArgumentException e) {
      throw in.malformed("pbft hard state records " + e.getMessage());
    }
  }
}
