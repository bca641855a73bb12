package io.lockstep.order.pbft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.pbft.wire.PbftCodec;

/**
 * Rebuilds a restarted replica from what {@link Durable} wrote (the runtime restores the executor
 * from the same snapshot). It rejoins at its last stable checkpoint with the certificates it logged
 * above it (or at the checkpoint it last voted for, whose state it saved before the vote left: then
 * it votes again and serves that state to its peers): its view (still changing to it, if it was,
 * with its view change signed again from the same facts), the pre-prepares it accepted or sent and
 * the prepared certificates it sent commits for. In that view it casts no new vote up to its
 * low watermark plus L ({@link EarlyVotes}). It executes nothing above the snapshot by itself:
 * its retransmissions of its own commits, and its peers' answers to its status
 * (commits and batches, or the stable checkpoint to fetch), bring it forward again; a checkpoint
 * stable beyond its saved state is fetched by state transfer at once. Client requests it held are
 * gone: clients resend them.
 */
final class Recovery {
  private Recovery() {}

  /**
   * Restores {@code p}, freshly built, from {@code recovered}; {@code seed}, when not null,
   * turns the wipe check on ({@link WipeCheck}).
   *
   * @throws IllegalArgumentException if the storage is damaged or holds what this code never
   *     writes (say why, so the operator can wipe the replica's storage and let it rejoin)
   */
  static void restore(Pbft p, Recovered recovered, Long seed) {
    Recovered.Damage damage = recovered.damage();
    byte[] hard = recovered.hardState() == null ? null : recovered.hardState().state();
    DurableState state = hard == null ? null : decode(p, hard);
    if (state == null) {
      state = new DurableState(0, false, java.util.List.of());
    }
    checkSettings(p, state.settings());
    p.view = state.view();
    p.changingView = state.changingView();
    p.repair.restore(state);
    p.wipe.restore(state, hard != null || damage != null, seed);
    long stable = state.stableSeq();
    if (stable > 0) {
      if (recovered.snapshot() != null) {
        p.membership.restoreVoters(recovered.snapshot().members());
      }
      if (!p.checkpoints.provesStored(stable, state.proof())) {
        throw new IllegalArgumentException("replica " + p.self() + "'s stored stable checkpoint "
            + stable + " is not proven by 2t+1 valid signed votes: the storage is not this"
            + " cluster's, or it was altered");
      }
      PbftMessage.CheckpointVote vote = state.proof().get(0);
      p.checkpoints.stable = new Checkpoints.Point(stable, vote.state(), vote.time());
      p.checkpoints.stableProof = state.proof();
      p.low = stable;
    }
    if (hard != null) {
      p.early.recovered(p.view, p.low); // before the replay, which asks where it abstains
    }
    long checkpoint = restoreSnapshot(p, recovered.snapshot(), damage != null || p.repair.active);
    long end = recovered.snapshot() == null ? 0 : recovered.snapshot().index();
    long journalSeq = checkpoint;
    for (LogEntry entry : recovered.entries()) {
      journalSeq = Math.max(journalSeq, replay(p, entry));
      end = entry.index();
    }
    if (damage != null) {
      // Before resume(): a replica changing view must not send its view change again.
      p.repair.start(damage, journalSeq);
    }
    p.durable.recovered(hard == null ? null : state, checkpoint, end);
    resume(p);
  }

  /**
   * Refuses to read storage made with other settings than {@code p} runs with: the positions in
   * the executor's state and the saved checkpoints would not be where this replica looks for
   * them ({@link PositionSettings}). A hard state written before they were recorded
   * ({@code recorded} null) is checked as before, by whether the saved checkpoint fits.
   */
  private static void checkSettings(Pbft p, PositionSettings recorded) {
    if (recorded == null) {
      return;
    }
    java.util.List<String> refusals = recorded.refusals(PositionSettings.of(p.config));
    if (!refusals.isEmpty()) {
      throw new IllegalArgumentException("replica " + p.self() + "'s "
          + String.join("; ", refusals));
    }
  }

  private static DurableState decode(Pbft p, byte[] hard) {
    try {
      return DurableState.decode(hard);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("replica " + p.self() + "'s stored hard state is not"
          + " pbft's: " + e.getMessage(), e);
    }
  }

  /**
   * The executor's state at the saved checkpoint; returns its sequence number (0: none). With
   * {@code damaged} storage (or a repair not finished before this restart) the snapshot may be
   * further ahead of the stable checkpoint than the
   * window (the hard state that proved a later checkpoint was lost, an older one was read).
   */
  private static long restoreSnapshot(Pbft p, Snapshot snapshot, boolean damaged) {
    if (snapshot == null) {
      return 0;
    }
    // Durable saves a checkpoint's state at the checkpoint's last position.
    long seq = snapshot.index() / p.config.maxBatch();
    // Durable saves the state of each checkpoint the replica votes for, so it may be above the
    // stable one, but never beyond the window (nothing there executes) or off the interval.
    if (snapshot.index() % p.config.maxBatch() != 0 || seq < 1
        || seq > p.low + p.config.window() && !damaged
        || seq % p.config.checkpointInterval() != 0) {
      throw new IllegalArgumentException("replica " + p.self() + "'s stored checkpoint state at"
          + " position " + snapshot.index() + " does not fit its stable checkpoint " + p.low
          + " (were pbft.max-batch, the checkpoint interval or the window changed? they must"
          + " stay the same across restarts)");
    }
    p.lastExecuted = seq;
    p.executedTime = snapshot.time();
    p.normal.proposedTime = snapshot.time();
    if (seq == p.low) {
      SnapshotData state = snapshot.data();
      if (!Digest.of(state).equals(p.checkpoints.stable.state())) {
        throw new IllegalArgumentException("replica " + p.self() + "'s stored state at seq "
            + seq + " does not match its stable checkpoint's digest");
      }
      p.checkpoints.keep(seq, state);
      p.membership.stable(seq, state);
    } else if (seq > p.low && !damaged) {
      p.checkpoints.restoreOwnVote(seq, snapshot.data(), snapshot.time());
    } else if (seq > p.low) {
      p.checkpoints.restoreState(seq, snapshot.data()); // a repairing replica signs no vote
    }
    return seq;
  }

  /**
   * Applies one journal entry: a pre-prepare accepted or sent, or a commit sent. Returns the
   * sequence number it names (0 for a filler): the replica may have voted there.
   */
  private static long replay(Pbft p, LogEntry entry) {
    if (entry.request() == null) {
      return 0; // a filler up to a checkpoint's position
    }
    if (!entry.request().client().equals(Durable.JOURNAL)) {
      throw new IllegalArgumentException("replica " + p.self() + "'s log entry " + entry.index()
          + " is not a pbft journal entry");
    }
    byte[] bytes = entry.request().command();
    ProtocolMessage message;
    try {
      message = PbftCodec.INSTANCE.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("replica " + p.self() + "'s journal entry "
          + entry.index() + " does not decode: " + e.getMessage(), e);
    }
    if (message instanceof PbftMessage.PrePrepare pp && journaled(p, pp.seq())) {
      Slot slot = p.slot(pp.seq());
      Digest digest = pp.batch().digest();
      slot.accept(pp.view(), pp.batch(), digest);
      // Not where it now abstains (EarlyVotes): the entry may record a pre-prepare it accepted
      // there without voting after an earlier restart, and repeating a prepare it never sent
      // could contradict one it sent before that restart and lost.
      if (pp.view() == p.view && p.primary(pp.view()) != p.self()
          && !p.early.abstains(pp.seq())) {
        slot.prepareSent = true;
        slot.addPrepare(pp.view(), digest, p.self());
      }
    } else if (message instanceof PbftMessage.Commit c && journaled(p, c.seq())) {
      Slot slot = p.slot(c.seq());
      Batch batch = slot.contents.get(c.digest());
      if (batch == null) {
        throw new IllegalArgumentException("replica " + p.self() + "'s journal entry "
            + entry.index() + " commits a batch it never accepted");
      }
      slot.prepared = new PbftMessage.Prepared(c.seq(), c.view(), c.digest(), batch);
      slot.commitSentView = c.view();
      slot.commitSent = c.digest();
      slot.addCommit(c.view(), c.digest(), p.self());
    } else if (!(message instanceof PbftMessage.PrePrepare)
        && !(message instanceof PbftMessage.Commit)) {
      throw new IllegalArgumentException("replica " + p.self() + "'s journal entry "
          + entry.index() + " holds a " + message.getClass().getSimpleName());
    }
    return message instanceof PbftMessage.PrePrepare pp ? pp.seq()
        : ((PbftMessage.Commit) message).seq();
  }

  /**
   * Whether a journaled certificate at {@code seq} is kept: anywhere in the stable checkpoint's
   * window, even while the window is empty because the configuration there is not read yet (a
   * restart from a saved state above the stable checkpoint). What it pre-prepared and committed
   * there before the crash must not be forgotten: its view changes report its prepared
   * certificates, without which a new view could drop a batch that committed with its commit,
   * and it repeats its commits, which a peer that lags behind may still need to commit there.
   */
  private static boolean journaled(Pbft p, long seq) {
    return seq > p.low && seq <= p.low + p.config.window();
  }

  /** Picks up where the durable state left off: the primary's next seq, the view change. */
  private static void resume(Pbft p) {
    long highest = p.low;
    for (Slot slot : p.slots.values()) {
      if (slot.acceptedView == p.view && slot.accepted != null) {
        highest = Math.max(highest, slot.seq);
        p.normal.proposedTime = Math.max(p.normal.proposedTime,
            slot.contents.get(slot.accepted).time());
      }
    }
    p.normal.nextSeq = highest + 1;
    p.normal.highestPrePrepared = highest;
    if (p.changingView) {
      p.viewChanges.resume();
    }
    if (p.lastExecuted < p.low) {
      p.transfer.fetch(p.checkpoints.stable, p.checkpoints.stableProof);
    }
  }
}
