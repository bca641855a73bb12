package io.lockstep.order.pbft;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.pbft.wire.PbftCodec;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a PBFT replica writes to stable storage, so that a restarted replica never contradicts
 * what it sent before its crash (a replica that forgets counts as faulty, and a whole cluster
 * restarted at once would lose committed requests). The runtime makes a Ready's writes durable
 * before it sends that Ready's messages, except the pre-prepares and prepares
 * {@link EarlyVotes} lets leave early, so each fact below is on disk before the message that
 * relies on it leaves, or, for those two, the replica abstains where it may have lost one:
 *
 * <ul>
 *   <li>the pre-prepare it accepted (as a backup) or sent (as the primary), as a log entry,
 *       with its PREPARE or PRE-PREPARE: once durable, it then never prepares another batch at
 *       that (view, seq), and its Q set (§4.4) survives;
 *   <li>the commit it sent, as a log entry, before its COMMIT: it records the prepared
 *       certificate, so its P set in a later view change still carries a batch that may have
 *       committed;
 *   <li>the view, whether it is changing view, and the stable checkpoint's 2t+1 signed votes,
 *       as the hard state, before a VIEW-CHANGE or anything sent in a new view: it never goes
 *       back to a view it left;
 *   <li>the executor's state at each checkpoint it votes for, as the snapshot, before its
 *       CHECKPOINT vote (and a stable checkpoint's state it fetched): 2t+1 votes prove the
 *       checkpoint and let every replica discard its log below it, so at least t+1 correct
 *       voters must be able to hand that state over even after a crash of the whole cluster.
 *       The snapshot also discards the log entries of the sequence numbers it covers, and may
 *       be above the stable checkpoint (recovery then re-signs the replica's vote for it).
 * </ul>
 *
 * <p>Log entries are a journal, indexed by their own counter, not by position: each carries the
 * message's bytes as a command of the reserved client {@link #JOURNAL}, under the term
 * {@link #TERM} (no view ever reaches it, so nothing mistakes an entry for a leader's stamp). The
 * snapshot, though, is indexed like every snapshot, by the last position it covers (the
 * checkpoint's last position), which is how recovery finds its sequence number. At a checkpoint the
 * replica appends no-op fillers up to that position if the journal is shorter, then copies of its
 * facts still live above the stable checkpoint, then the snapshot, then the hard state: the entry
 * at the snapshot's index has its term, so storage keeps every entry after it (the copies among
 * them) and drops the rest. A crash anywhere in between leaves either the old snapshot with a
 * journal that replays to the same state, or the new one with the copies. Entries after the
 * snapshot's index that were written before the checkpoint stay too; replay skips those below the
 * low watermark, so a small max-batch (fewer positions per sequence number than journal entries)
 * makes the stored journal grow slowly; the default of 64 does not.
 */
final class Durable {
  /** The client journal entries are written under; no real client has a colon in its id. */
  static final ClientId JOURNAL = ClientId.of("lockstep:pbft-journal");
  /** The term of every journal entry and snapshot. */
  static final long TERM = Long.MAX_VALUE;

  private final Pbft p;
  /** Index of the last journal entry handed out. */
  long lastIndex;
  /** Sequence number of the last checkpoint whose state was saved. */
  long savedCheckpoint;
  /** What the last hard state written said; the view is -1 before the first. */
  private long savedView = -1;
  private boolean savedChanging;
  private long savedStable;
  /** What the last hard state said of the repair ({@link Repair}). */
  private boolean savedRepairing;
  private long savedNoVoteSeq;
  private long savedNoVoteView = -1;
  /**
   * Whether the last hard state recorded the settings the data depend on; false after a start
   * from a hard state written before they were ({@link PositionSettings}), so the first Ready
   * records them and a later start no longer has to guess them.
   */
  private boolean savedSettings = true;
  private List<LogEntry> pending = new ArrayList<>();

  Durable(Pbft p) {
    this.p = p;
  }

  /** This replica accepted (or, as primary, sent) {@code pp}. */
  void accepted(PbftMessage.PrePrepare pp) {
    journal(pp);
  }

  /** This replica prepared and is sending {@code commit}. */
  void committing(PbftMessage.Commit commit) {
    journal(commit);
  }

  private void journal(PbftMessage message) {
    lastIndex++;
    pending.add(new LogEntry(lastIndex, TERM, 0,
        Request.command(JOURNAL, lastIndex, PbftCodec.INSTANCE.encode(message))));
  }

  /**
   * Hands this Ready's writes to the outbox, in the order recovery relies on: the journal
   * entries, then (at a checkpoint whose state is to be saved) the fillers, the live copies and
   * the snapshot, then the hard state.
   */
  void flush() {
    long seq = checkpointToSave();
    boolean checkpoint = seq > 0;
    long index = p.lastPosition(seq);
    if (checkpoint) {
      while (lastIndex < index) {
        lastIndex++;
        pending.add(new LogEntry(lastIndex, TERM, 0, null));
      }
      copyLive();
    }
    // The runtime reports durability by journal index only: a hard state is durable once this
    // Ready's last entry is, or, if it appends none, the next entry appended after it.
    long marker = pending.isEmpty() ? lastIndex + 1 : lastIndex;
    if (!pending.isEmpty()) {
      p.out.write(new StorageWrite.Append(pending));
      pending = new ArrayList<>();
    }
    if (checkpoint) {
      // Before the hard state: a crash between the two then leaves a saved state at or above
      // the stored low watermark, never a watermark above every state this replica kept.
      savedCheckpoint = seq;
      PbftMessage.CheckpointVote own = p.checkpoints.ownLatest;
      long time = own != null && own.seq() == seq ? own.time() : p.checkpoints.stable.time();
      p.out.write(new StorageWrite.SaveSnapshot(new Snapshot(index, TERM, time,
          p.membership.forSeq(seq).members(), p.checkpoints.state(seq))));
    }
    if (p.view != savedView || p.changingView != savedChanging || p.low != savedStable
        || repairChanged() || p.wipe.dirty() || !savedSettings) {
      p.out.write(new StorageWrite.HardState(DurableState.of(p).encode()));
      p.early.hardStateWritten(marker, p.view, p.low);
      p.wipe.written();
      savedView = p.view;
      savedChanging = p.changingView;
      savedStable = p.low;
      savedRepairing = p.repair.active;
      savedNoVoteSeq = p.repair.noVoteThroughSeq;
      savedNoVoteView = p.repair.noVoteThroughView;
      savedSettings = true;
    }
  }

  /**
   * Whether the repair state moved since the last hard state: its start must be durable before
   * anything else (storage reports the damage until then), its end before the first vote.
   */
  private boolean repairChanged() {
    return p.repair.active != savedRepairing || p.repair.noVoteThroughSeq != savedNoVoteSeq
        || p.repair.noVoteThroughView != savedNoVoteView;
  }

  /**
   * The checkpoint whose state must be saved in this Ready, 0 if none: the one this replica
   * votes for (its vote leaves with this Ready, so the state is on disk first), or the stable
   * one whose state it fetched. A vote is a promise to hand the state over: 2t+1 of them make
   * the checkpoint stable everywhere they arrive, and every replica then drops its log below it.
   * Were the voters' states only in memory, a cluster that lost power together could hold a
   * proof of that checkpoint and no replica its state, and wait for a transfer for ever.
   */
  private long checkpointToSave() {
    PbftMessage.CheckpointVote own = p.checkpoints.ownLatest;
    long best = 0;
    for (long seq : new long[] {p.low, own == null ? 0 : own.seq()}) {
      if (seq > savedCheckpoint && seq > best && seq <= p.lastExecuted
          && p.checkpoints.state(seq) != null) {
        best = seq;
      }
    }
    return best;
  }

  /** Copies every live slot's facts, in an order that replays to the same slot. */
  private void copyLive() {
    for (Slot slot : p.slots.tailMap(p.low, false).values()) {
      PbftMessage.Prepared prepared = slot.prepared;
      if (prepared != null && !slot.prePrepared.containsKey(prepared.digest())) {
        // Its Q entry was evicted (more than MAX_Q digests here): first, so replay evicts it
        // again, but its batch is known when the commit below is replayed.
        journal(new PbftMessage.PrePrepare(prepared.view(), slot.seq, prepared.batch()));
      }
      for (Map.Entry<Digest, Long> q : slot.prePrepared.entrySet()) {
        Batch batch = slot.contents.get(q.getKey());
        if (batch != null) {
          journal(new PbftMessage.PrePrepare(q.getValue(), slot.seq, batch));
        }
      }
      if (slot.prepared != null) {
        journal(new PbftMessage.Commit(slot.prepared.view(), slot.seq, slot.prepared.digest()));
      }
    }
  }

  /** Where a recovered replica's storage stands: nothing it holds is written again. */
  void recovered(DurableState hardState, long checkpoint, long journalEnd) {
    if (hardState != null) {
      savedView = hardState.view();
      savedChanging = hardState.changingView();
      savedStable = hardState.stableSeq();
      savedRepairing = hardState.repairing();
      savedNoVoteSeq = hardState.noVoteThroughSeq();
      savedNoVoteView = hardState.noVoteThroughView();
      savedSettings = hardState.settings() != null;
    }
    savedCheckpoint = checkpoint;
    lastIndex = journalEnd;
  }
}
