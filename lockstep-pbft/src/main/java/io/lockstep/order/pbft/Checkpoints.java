package io.lockstep.order.pbft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpoints (PBFT §4.3): after every K-th sequence number the replica asks the runtime for the
 * executor's state, signs (seq, SHA-256 of that state, agreed time) and broadcasts the vote; 2t+1
 * matching signed votes make the checkpoint stable, which moves the low watermark up, discards
 * the log below it, and is the proof a view change and a lagging replica rely on. The state
 * itself is kept for the latest stable checkpoint and those after it, for state transfer.
 */
final class Checkpoints {
  /** A checkpoint's identity: what the votes must agree on. */
  record Point(long seq, Digest state, long time) {}

  private final Pbft p;
  /** Per replica, its votes by sequence number (bounded: a few windows' worth). */
  private final Map<Integer, TreeMap<Long, PbftMessage.CheckpointVote>> votes = new HashMap<>();
  /** This replica's own states by sequence number, for state transfer. */
  final TreeMap<Long, byte[]> states = new TreeMap<>();
  /** The 2t+1 votes proving the stable checkpoint (empty before the first). */
  List<PbftMessage.CheckpointVote> stableProof = List.of();
  Point stable = new Point(0, null, 0);
  /** This replica's latest vote, repeated until its checkpoint is stable (votes get lost). */
  PbftMessage.CheckpointVote ownLatest;
  /** Sequence number whose state the executor must hand over next; 0 when none. */
  private long awaiting;

  Checkpoints(Pbft p) {
    this.p = p;
  }

  boolean awaitingSnapshot() {
    return awaiting != 0;
  }

  /** The batch at a checkpoint's sequence number executed: its state is wanted. */
  void executedCheckpoint(long seq) {
    awaiting = seq;
  }

  /** The executor's state after {@link #awaiting}: digest it, keep it, vote for it. */
  void onSnapshot(byte[] state) {
    if (awaiting == 0) {
      return; // a periodic snapshot of the runtime's own: PBFT's checkpoints do not use it
    }
    long seq = awaiting;
    awaiting = 0;
    states.put(seq, state);
    p.membership.executed(seq, state);
    if (!p.repair.mayVouch()) {
      return; // it may have voted differently before its storage was damaged (Repair)
    }
    PbftMessage.CheckpointVote vote =
        Signing.signCheckpoint(p.config.signer(), seq, Digest.of(state), p.executedTime);
    ownLatest = vote;
    p.out.broadcast(vote);
    record(vote);
  }

  /**
   * A recovered replica's saved state at {@code seq}, above its stable checkpoint: its vote
   * for it left before the crash and may have been lost with the peers' memories in a
   * cluster-wide crash, so it is signed again (the same facts) and repeated until stable.
   */
  void restoreOwnVote(long seq, byte[] state, long time) {
    states.put(seq, state);
    p.membership.executed(seq, state);
    ownLatest = Signing.signCheckpoint(p.config.signer(), seq, Digest.of(state), time);
    record(ownLatest);
  }

  /**
   * A damaged replica's saved state at {@code seq}, above its stable checkpoint: kept to serve
   * state transfer, but not voted for while it repairs ({@link Repair}).
   */
  void restoreState(long seq, byte[] state) {
    states.put(seq, state);
    p.membership.executed(seq, state);
  }

  void onVote(PbftMessage.CheckpointVote vote) {
    if (vote.seq() <= p.low || vote.seq() % p.config.checkpointInterval() != 0) {
      p.drop("checkpoint vote below the low watermark or off the interval");
      return;
    }
    if (!p.membership.forSeq(vote.seq()).contains(vote.replica())) {
      p.drop("checkpoint vote from outside its sequence number's configuration");
      return;
    }
    TreeMap<Long, PbftMessage.CheckpointVote> mine = votes.get(vote.replica());
    if (mine != null && mine.containsKey(vote.seq())) {
      return; // already counted (a retransmission), or a second different vote: first stays
    }
    if (!Signing.verify(p.config.signer(), vote)) {
      p.drop("checkpoint vote with a bad signature");
      return;
    }
    record(vote);
  }

  private void record(PbftMessage.CheckpointVote vote) {
    TreeMap<Long, PbftMessage.CheckpointVote> mine =
        votes.computeIfAbsent(vote.replica(), r -> new TreeMap<>());
    mine.put(vote.seq(), vote);
    // A faulty replica may vote for far-off sequence numbers; its oldest votes go first.
    while (mine.size() > 2 * p.config.window() / p.config.checkpointInterval() + 2) {
      mine.pollFirstEntry();
    }
    List<PbftMessage.CheckpointVote> matching = matching(vote);
    if (matching.size() >= p.quorumFor(vote.seq()).quorum() && vote.seq() > p.low) {
      becomeStable(new Point(vote.seq(), vote.state(), vote.time()), matching);
    }
  }

  private List<PbftMessage.CheckpointVote> matching(PbftMessage.CheckpointVote vote) {
    List<PbftMessage.CheckpointVote> out = new ArrayList<>();
    for (int member : p.membership.forSeq(vote.seq()).members()) {
      TreeMap<Long, PbftMessage.CheckpointVote> theirs = votes.get(member);
      PbftMessage.CheckpointVote v = theirs == null ? null : theirs.get(vote.seq());
      if (v != null && v.state().equals(vote.state()) && v.time() == vote.time()) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * A checkpoint proven by 2t+1 signed votes becomes stable: the low watermark moves to it and
   * everything below is discarded; a replica that has not executed that far fetches the state.
   */
  void becomeStable(Point point, List<PbftMessage.CheckpointVote> proof) {
    if (point.seq() <= p.low) {
      return;
    }
    byte[] own = states.get(point.seq());
    if (own != null && !Digest.of(own).equals(point.state())) {
      throw new IllegalStateException("replica " + p.self() + " executed to a state at seq "
          + point.seq() + " that differs from the stable checkpoint's 2t+1 votes: it diverged");
    }
    stable = point;
    stableProof = List.copyOf(proof.subList(0, p.quorumFor(point.seq()).quorum()));
    p.low = point.seq();
    p.slots.headMap(point.seq(), true).clear();
    states.headMap(point.seq(), false).clear();
    for (TreeMap<Long, PbftMessage.CheckpointVote> theirs : votes.values()) {
      theirs.headMap(point.seq(), true).clear();
    }
    if (p.lastExecuted < point.seq()) {
      p.transfer.fetch(point, proof);
    } else if (own != null) {
      p.membership.stable(point.seq(), own);
    }
    // Executed past it without its state (a restart from a later saved state): the window
    // stays empty until a checkpoint whose state this replica holds is stable.
  }

  /** Whether {@code proof} is 2t+1 valid signed votes from distinct members for one point. */
  boolean proves(long seq, List<PbftMessage.CheckpointVote> proof) {
    PbftConfiguration voters = p.membership.forSeq(seq);
    return proves(seq, proof, voters::contains, p.quorumFor(seq).quorum(), voters.n());
  }

  /**
   * Whether a proof this replica stored itself is intact: at least 2t+1 valid signatures of
   * distinct replicas on one point. A restarted replica may not know which configuration voted
   * for its stable checkpoint (it reads that from the checkpoint's state, which it may have
   * saved only for a later one), and it checked the voters when it took the proof.
   */
  boolean provesStored(long seq, List<PbftMessage.CheckpointVote> proof) {
    return proves(seq, proof, replica -> true, 2 * p.config.t() + 1, proof.size());
  }

  private boolean proves(long seq, List<PbftMessage.CheckpointVote> proof,
      java.util.function.IntPredicate isVoter, int quorum, int most) {
    if (seq == 0) {
      return proof.isEmpty();
    }
    if (proof.size() < quorum || proof.size() > most) {
      return false;
    }
    PbftMessage.CheckpointVote first = proof.get(0);
    java.util.Set<Integer> signers = new java.util.HashSet<>();
    for (PbftMessage.CheckpointVote vote : proof) {
      boolean same = vote.seq() == seq && vote.state().equals(first.state())
          && vote.time() == first.time();
      if (!same || !isVoter.test(vote.replica()) || !signers.add(vote.replica())
          || !Signing.verify(p.config.signer(), vote)) {
        return false;
      }
    }
    return true;
  }
}
