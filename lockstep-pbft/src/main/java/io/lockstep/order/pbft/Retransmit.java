package io.lockstep.order.pbft;

import java.util.List;

/**
 * Retransmission (TOCS §5.2): the network may lose any message, so every {@code retransmitMs}
 * each replica reports its progress in a {@link PbftMessage.Status} and repeats its own
 * messages for the sequence numbers still open (the primary its pre-prepares, everyone their
 * prepares and commits). A peer that sees from a status that the sender lags answers with what
 * it lacks: the new view it missed, the stable checkpoint proof beyond it (then it fetches the
 * state), or the commits and batches it missed.
 *
 * <p>The view-change messages, which carry signatures and certificates and cost every receiver a
 * decode and a look-up per signature, are repeated only in answer to a status, and with a
 * per-peer back-off ({@link Backoff}): a replica changing view repeats its view change to a peer
 * whose status shows it has not reached that view (nobody else can use it), and only the new
 * view's primary answers a peer behind it with the new view (the only sender a backup takes a
 * new view from, {@code ViewChanges.onNewView}). Once every replica is in the view, nobody
 * repeats either; a replica that asked for a view alone repeats its view change ever more
 * rarely instead of every period.
 */
final class Retransmit {
  /** Waits between repeats of a view change or a new view double up to 2^4 periods. */
  private static final int MAX_BACKOFF_EXPONENT = 4;
  private final Pbft p;
  private long nextAt = -1;
  /** Repeats of this replica's own view change, per peer; reset for each new one. */
  private final Backoff viewChangeRepeats;
  /**
   * The same repeats made unasked, every so often: a peer whose statuses do not reach this
   * replica still gets the view change. Kept apart from the answers to statuses, so a peer that
   * comes back after a long silence is answered at once, not after the longest wait.
   */
  private final Backoff viewChangeTicks;
  private PbftMessage.ViewChange repeating;
  /** Answers with the new view that started this view, per peer; reset for each new view. */
  private final Backoff newViewAnswers;
  private PbftMessage.NewView answering;

  Retransmit(Pbft p) {
    this.p = p;
    this.viewChangeRepeats = new Backoff(p.config.retransmitMs(), MAX_BACKOFF_EXPONENT);
    this.viewChangeTicks = new Backoff(p.config.retransmitMs(), MAX_BACKOFF_EXPONENT);
    this.newViewAnswers = new Backoff(p.config.retransmitMs(), MAX_BACKOFF_EXPONENT);
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
      for (int member : p.membership.current().members()) {
        if (member != p.self()) {
          repeatViewChange(member, viewChangeTicks);
        }
      }
      return;
    }
    for (Slot slot : p.slots.tailMap(p.low, false).values()) {
      if (slot.seq > p.lastExecuted ? outForAPeriod(slot) : unfinishedInThisView(slot)) {
        repeatOwn(slot);
      }
    }
  }

  /**
   * Whether this replica's own message at an open sequence number has been out for a whole
   * period without the sequence number executing here. Under load a few batches are always in
   * flight, each a few milliseconds from executing; repeating them on every period sent about
   * one message in twelve twice (and the primary's whole batches), for nothing. A message that
   * was lost is repeated one period later than before.
   */
  private boolean outForAPeriod(Slot slot) {
    return p.now - slot.sentAt >= p.config.retransmitMs();
  }

  /**
   * Whether an executed sequence number that the new view carried again has not reached 2t+1
   * commits of this view here. Its earlier commits were of older views, and certificates do
   * not mix views: a replica that lagged behind needs it committed again in this view, which
   * takes every correct replica's prepare. A prepare that reached a peer before that peer
   * entered the view was dropped there, and without this repeat nobody would send it again.
   */
  private boolean unfinishedInThisView(Slot slot) {
    if (slot.acceptedView != p.view || slot.accepted == null || slot.finishedView == p.view) {
      return false;
    }
    if (slot.commits(p.view, slot.accepted) < p.quorum().quorum()) {
      return true;
    }
    slot.finishedView = p.view; // counted once: this walk visits the whole window each period
    return false;
  }

  private void repeatOwn(Slot slot) {
    if (!p.repair.mayRepeat(slot.seq)) {
      return; // a repairing replica repeats no vote, not even one its journal kept
    }
    slot.sentAt = p.now;
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
      if (p.changingView) {
        repeatViewChange(from, viewChangeRepeats);
      } else {
        sendNewView(from);
      }
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
      Slot slot = p.slots.get(seq);
      if (slot != null && slot.executedAt >= 0
          && p.now - slot.executedAt < p.config.retransmitMs()) {
        // Executed here within the last period: the peer is most likely executing it too
        // (statuses cross batches in flight), and answering every such status with the whole
        // batch cost each replica a fill per dozen pre-prepares. A peer that really lags
        // reports the same again next period and is answered then.
        break;
      }
      resend(from, seq);
    }
  }

  /** Sends a lagging peer this replica's commit and the batch for an executed {@code seq}. */
  void resend(int to, long seq) {
    Slot slot = p.slots.get(seq);
    if (slot == null || slot.executedDigest() == null || slot.commitSentView < 0
        || !p.repair.mayRepeat(seq)) {
      return;
    }
    p.out.send(to, new PbftMessage.Commit(slot.commitSentView, seq, slot.commitSent));
    p.out.send(to, new PbftMessage.Fill(seq, slot.contents.get(slot.executedDigest())));
  }

  /**
   * Repeats this replica's view change to {@code to} if {@code backoff} lets it: in answer to a
   * peer whose status shows it below the view being changed to, or changing to it too (it may
   * have lost the copy it needs, for the t+1 rule or the primary's quorum), and unasked to every
   * member now and then (a peer whose statuses are lost). A peer already in that view or beyond
   * has no use for it. Without the unasked repeats, the configurator simulation's seed 14 lost
   * liveness: a repeat that only a status could prompt never reached the peer that needed it.
   */
  private void repeatViewChange(int to, Backoff backoff) {
    PbftMessage.ViewChange own = p.viewChanges.own;
    if (own == null || !p.repair.mayVoteForView(p.view)
        || !p.membership.current().contains(to)) {
      return; // a spare or a removed replica has no say in views: broadcasts go to members only
    }
    if (own != repeating) {
      repeating = own;
      for (Backoff each : List.of(viewChangeRepeats, viewChangeTicks)) {
        each.reset();
        for (int member : p.membership.current().members()) {
          each.sent(member, p.now); // it was just broadcast (start, resume)
        }
      }
    }
    if (backoff.take(to, p.now)) {
      p.out.send(to, own);
    }
  }

  /**
   * Sends the new view that started this replica's view to a peer that missed it, if this
   * replica is that view's primary: a backup takes a new view only from its primary, whose
   * signature the runtime's pre-check verifies as the sender's ({@code Signing.claims}), so a
   * copy forwarded by another replica would be decoded and checked for nothing.
   */
  void sendNewView(int to) {
    PbftMessage.NewView current = p.viewChanges.current;
    if (p.changingView || current == null || current.view() != p.view || !p.isPrimary()) {
      return;
    }
    if (current != answering) {
      answering = current;
      newViewAnswers.reset();
    }
    if (newViewAnswers.take(to, p.now)) {
      p.out.send(to, current);
    }
  }
}
