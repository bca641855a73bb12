package io.lockstep.order.pbft;

import io.lockstep.codec.WireWriter;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact bytes each signed message's signature covers, and the checks. Each starts with its
 * own domain tag, so a signature made for one kind of message never verifies as another.
 *
 * <p>Public only for {@link #claims}, which the codec offers the runtime so that it verifies
 * these signatures off the loop thread.
 */
public final class Signing {
  private Signing() {}

  static byte[] checkpointBytes(long seq, Digest state, long time, int replica) {
    WireWriter out = new WireWriter().writeString("lockstep-pbft checkpoint");
    out.writeLong(seq).writeRaw(state.bytes()).writeLong(time).writeInt(replica);
    return out.toByteArray();
  }

  static PbftMessage.CheckpointVote signCheckpoint(Signer signer, long seq, Digest state,
      long time) {
    return new PbftMessage.CheckpointVote(seq, state, time, signer.self(),
        checkpointSignature(signer, seq, state, time));
  }

  /** The signature alone; pure, so the runtime may make it off the loop ({@code Checkpoints}). */
  static byte[] checkpointSignature(Signer signer, long seq, Digest state, long time) {
    return signer.sign(checkpointBytes(seq, state, time, signer.self()));
  }

  static boolean verify(Signer signer, PbftMessage.CheckpointVote vote) {
    return signer.verify(vote.replica(), checkpointBytes(vote.seq(), vote.state(), vote.time(),
        vote.replica()), vote.signature());
  }

  static byte[] viewChangeBytes(long newView, int replica, long stableSeq,
      List<PbftMessage.CheckpointVote> proof, List<PbftMessage.Prepared> prepared,
      List<PbftMessage.PrePrepared> prePrepared) {
    WireWriter out = new WireWriter().writeString("lockstep-pbft view-change");
    out.writeLong(newView).writeInt(replica).writeLong(stableSeq);
    out.writeInt(proof.size());
    for (PbftMessage.CheckpointVote vote : proof) {
      out.writeLong(vote.seq()).writeRaw(vote.state().bytes()).writeLong(vote.time())
          .writeInt(vote.replica()).writeBytes(vote.signature());
    }
    out.writeInt(prepared.size());
    for (PbftMessage.Prepared p : prepared) {
      // The batch itself is bound by its digest.
      out.writeLong(p.seq()).writeLong(p.view()).writeRaw(p.digest().bytes());
    }
    out.writeInt(prePrepared.size());
    for (PbftMessage.PrePrepared q : prePrepared) {
      out.writeLong(q.seq()).writeLong(q.view()).writeRaw(q.digest().bytes());
    }
    return out.toByteArray();
  }

  static PbftMessage.ViewChange signViewChange(Signer signer, long newView, long stableSeq,
      List<PbftMessage.CheckpointVote> proof, List<PbftMessage.Prepared> prepared,
      List<PbftMessage.PrePrepared> prePrepared) {
    byte[] signature = signer.sign(viewChangeBytes(newView, signer.self(), stableSeq, proof,
        prepared, prePrepared));
    return new PbftMessage.ViewChange(newView, signer.self(), stableSeq, proof, prepared,
        prePrepared, signature);
  }

  static boolean verify(Signer signer, PbftMessage.ViewChange vc) {
    return signer.verify(vc.replica(), viewChangeBytes(vc.newView(), vc.replica(),
        vc.stableSeq(), vc.stableProof(), vc.prepared(), vc.prePrepared()), vc.signature());
  }

  static byte[] newViewBytes(long view, List<PbftMessage.ViewChange> proofs,
      List<PbftMessage.PrePrepare> prePrepares) {
    WireWriter out = new WireWriter().writeString("lockstep-pbft new-view");
    out.writeLong(view).writeInt(proofs.size());
    for (PbftMessage.ViewChange vc : proofs) {
      out.writeInt(vc.replica()).writeBytes(vc.signature());
    }
    out.writeInt(prePrepares.size());
    for (PbftMessage.PrePrepare pp : prePrepares) {
      out.writeLong(pp.seq()).writeRaw(pp.batch().digest().bytes());
    }
    return out.toByteArray();
  }

  static PbftMessage.NewView signNewView(Signer signer, long view,
      List<PbftMessage.ViewChange> proofs, List<PbftMessage.PrePrepare> prePrepares) {
    return new PbftMessage.NewView(view, proofs, prePrepares,
        signer.sign(newViewBytes(view, proofs, prePrepares)));
  }

  static boolean verify(Signer signer, int primary, PbftMessage.NewView nv) {
    return signer.verify(primary, newViewBytes(nv.view(), nv.proofs(), nv.prePrepares()),
        nv.signature());
  }

  /**
   * Every signature the core checks when it steps {@code message} from replica {@code from}:
   * a checkpoint vote's; a view change's and its stable checkpoint's votes; a new view's (made
   * by its primary, which must be the sender: see {@code ViewChanges.onNewView}) and those of
   * every view change it carries. Pure: the runtime calls it on I/O threads.
   */
  public static List<SignatureClaim> claims(int from, PbftMessage message) {
    List<SignatureClaim> claims = new ArrayList<>();
    if (message instanceof PbftMessage.CheckpointVote vote) {
      claims.add(claim(vote));
    } else if (message instanceof PbftMessage.ViewChange vc) {
      addViewChange(claims, vc);
    } else if (message instanceof PbftMessage.NewView nv) {
      claims.add(new SignatureClaim(from, newViewBytes(nv.view(), nv.proofs(),
          nv.prePrepares()), nv.signature()));
      for (PbftMessage.ViewChange vc : nv.proofs()) {
        addViewChange(claims, vc);
      }
    }
    return claims;
  }

  private static SignatureClaim claim(PbftMessage.CheckpointVote vote) {
    return new SignatureClaim(vote.replica(), checkpointBytes(vote.seq(), vote.state(),
        vote.time(), vote.replica()), vote.signature());
  }

  private static void addViewChange(List<SignatureClaim> claims, PbftMessage.ViewChange vc) {
    claims.add(new SignatureClaim(vc.replica(), viewChangeBytes(vc.newView(), vc.replica(),
        vc.stableSeq(), vc.stableProof(), vc.prepared(), vc.prePrepared()), vc.signature()));
    for (PbftMessage.CheckpointVote vote : vc.stableProof()) {
      claims.add(claim(vote));
    }
  }
}
