package io.lockstep.order.pbft;

/**
 * Retransmission (TOCS §5.2): the network may lose any message, so every {@code retransmitMs}
 * each replica reports its progress in a {@link PbftMessage.Status} and repeats its own
 * messages for the sequence numbers still open (the primary its pre-prepares, everyone their
 * prepares and commits), or its view change while changing view. A peer that sees from a status
 * that the sender lags answers with what it lacks: the new view it missed, the stable checkpoint
 * proof beyond it (then it fetches the state), or the commits and batches it missed.
 */
final class Retransmit {
  private final Pbft p;
  private long nextAt = -1;

  Retransmit(Pbft p) {
    this.p = p;
  }

  void start() {
    nextAt = p.now + p.config.retransmitMs();
  }

  void onTick() {
    if (nextAt < 0 || p.now < nextAt) {
      return;
    }
    nextAt = p.now + p.config.retransmitMs();
    p.out.broadcast(new PbftMessage.Status(p.view, p.changingView, p.lastExecuted, p.low,
        p.silence.own(p.membership.current().members(), p.self(), p.now)));
    PbftMessage.CheckpointVote vote = p.checkpoints.ownLatest;
    if (vote != null && vote.seq() > p.low && p.repair.mayVouch()) {
      p.out.broadcast(vote);
    }
    if (p.changingView) {
      if (p.viewChanges.own != null && p.repair.mayVoteForView(p.view)) {
        p.out.broadcast(p.viewChanges.own);
      }
      return;
    }
    for (Slot slot : p.slots.tailMap(p.low, false).values()) {
      if (slot.seq > p.lastExecuted || unfinishedInThisView(slot)) {
        repeatOwn(slot);
      }
    }
  }

  /**
   * Whether an executed sequence number that the new view carried again has not reached 2t+1
   * commits of this view here. Its earlier commits were of older views, and certificates do
   * not mix views: a replica that lagged behind needs it committed again in this view, which
   * takes every correct replica's prepare. A prepare that reached a peer before that peer
   * entered the view was dropped there, and without this repeat nobody would send it again.
   */
  private boolean unfinishedInThisView(Slot slot) {
    return slot.acceptedView == p.view && slot.accepted != null
        && slot.commits(p.view, slot.accepted) < p.quorum().quorum();
  }

  private void repeatOwn(Slot slot) {
    if (!p.repair.mayVote(slot.seq)) {
      return; // a repairing replica repeats no vote, not even one its journal kept
    }
    if (slot.acceptedView == p.view && slot.accepted != null) {
      if (p.isPrimary()) {
        p.out.broadcast(new PbftMessage.PrePrepare(p.view, slot.seq,
            slot.contents.get(slot.accepted)));
      } else if (slot.prepareSent) {
        p.out.broadcast(new PbftMessage.Prepare(p.view, slot.seq, slot.accepted));
      }
    }
    if (slot.commitSentView >= 0) {
      p.out.broadcast(new PbftMessage.Commit(slot.commitSentView, slot.seq, slot.commitSent));
    }
  }

  void onStatus(int from, PbftMessage.Status status) {
    if (status.view() < p.view || (status.view() == p.view && status.changingView())) {
      sendNewView(from);
    }
    if (status.stableSeq() < p.low && !p.checkpoints.stableProof.isEmpty()) {
      // Also to a peer that executed this far but lacks the votes (lost, or a Byzantine voter's
      // were bad): without a stable checkpoint its window cannot move, and the checkpoint's
      // voters already moved on and stopped repeating their votes.
      for (PbftMessage.CheckpointVote vote : p.checkpoints.stableProof) {
        if (vote.replica() != p.self() || p.repair.mayVouch()) {
          p.out.send(from, vote); // a repairing replica repeats none of its own votes (Repair)
        }
      }
      if (status.executed() < p.low) {
        return;
      }
    }
    long upTo = Math.min(p.lastExecuted, status.executed() + p.config.checkpointInterval());
    for (long seq = status.executed() + 1; seq <= upTo; seq++) {
      resend(from, seq);
    }
  }

  /** Sends a lagging peer this replica's commit and the batch for an executed {@code seq}. */
  void resend(int to, long seq) {
    Slot slot = p.slots.get(seq);
    if (slot == null || slot.executedDigest == null || slot.commitSentView < 0
        || !p.repair.mayVote(seq)) {
      return;
    }
    p.out.send(to, new PbftMessage.Commit(slot.commitSentView, seq, slot.commitSent));
    p.out.send(to, new PbftMessage.Fill(seq, slot.contents.get(slot.executedDigest)));
  }

  /** Sends the new view that started this replica's view to a peer that missed it. */
  void sendNewView(int to) {
    if (!p.changingView && p.viewChanges.current != null
        && p.viewChanges.current.view() == p.view) {
      p.out.send(to, p.viewChanges.current);
    }
  }
}
