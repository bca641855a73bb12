package io.lockstep.order.pbft;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.pbft.wire.PbftCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * A PBFT replica's hard state: its view, whether it is changing to it, the 2t+1 signed votes
 * proving its stable checkpoint (empty before the first), and its repair state ({@link Repair}:
 * whether it repairs damaged storage, and the sequence number and view at or below which it never
 * votes again). Written before any message that depends on it leaves ({@link Durable}); small (a
 * few hundred bytes for t = 1). Version 1, written before repairs existed, reads as no repair.
 */
record DurableState(long view, boolean changingView, List<PbftMessage.CheckpointVote> proof,
    boolean repairing, long noVoteThroughSeq, long noVoteThroughView) {
  private static final int VERSION = 2;

  DurableState {
    proof = List.copyOf(proof);
  }

  /** A hard state without a repair: what version 1 stored. */
  DurableState(long view, boolean changingView, List<PbftMessage.CheckpointVote> proof) {
    this(view, changingView, proof, false, 0, -1);
  }

  /** The state {@code p} is in now. */
  static DurableState of(Pbft p) {
    return new DurableState(p.view, p.changingView, p.checkpoints.stableProof, p.repair.active,
        p.repair.noVoteThroughSeq, p.repair.noVoteThroughView);
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
    return out.writeBoolean(repairing).writeLong(noVoteThroughSeq).writeLong(noVoteThroughView)
        .toByteArray();
  }

  /**
   * Decodes a stored hard state.
   *
   * @throws IllegalArgumentException if it is not one this version wrote
   */
  static DurableState decode(byte[] bytes) {
    WireReader in = new WireReader(bytes, "pbft hard state");
    int version = in.readByte();
    if (version != 1 && version != VERSION) {
      throw in.malformed("pbft hard state version " + version + ", expected 1 or " + VERSION);
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
    in.end();
    if (view < 0 || noVoteSeq < 0 || noVoteView < -1) {
      throw in.malformed("pbft hard state with view " + view + ", no votes through seq "
          + noVoteSeq + " and view " + noVoteView);
    }
    return new DurableState(view, changing, proof, repairing, noVoteSeq, noVoteView);
  }
}
