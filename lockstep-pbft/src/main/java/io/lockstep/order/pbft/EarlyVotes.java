package io.lockstep.order.pbft;

import io.lockstep.order.ProtocolMessage;
import java.util.ArrayDeque;

/**
 * Pre-prepares and prepares that leave before the journal entry recording them is durable,
 * and the rule that keeps a crash from turning them into contradictions.
 *
 * <p><b>Why.</b> {@link Durable} records each accepted pre-prepare and each commit before the
 * message relying on it leaves. Done for all three phases, a batch waits for three fsyncs in a
 * row (the primary's, the backups' before their prepares, everyone's before their commits), and
 * with a handful of clients the cluster spends most of its time waiting for disks instead of
 * batching. Raft overlaps the leader's fsync with its appends (dissertation §10.2.1); here the
 * pre-prepare and the prepares overlap the fsync of the entry that records them, and only the
 * commit waits (so every replica in a commit quorum holds its prepared certificate and its
 * pre-prepare on disk, and a reply, which waits for the commit, is never lost with a crash of
 * the whole cluster).
 *
 * <p><b>The danger.</b> A replica that sent a prepare (or, as primary, a pre-prepare) for
 * (view v, seq n) and crashed before the entry was durable no longer knows it did. Voting in v
 * at n again, for another batch an equivocating primary offers, would make it a second faulty
 * replica: two prepared certificates could form for one (v, n).
 *
 * <p><b>The rule.</b> A vote may leave early only if its view is at most the view of a hard
 * state already durable, and its sequence number at most that hard state's low watermark plus
 * the window L. Hard states only grow in both, so every early vote (v, n) of a replica lies at
 * or below the view and the low watermark plus L of the last hard state it made durable before
 * a crash. A replica restarted from a hard state therefore casts no new vote in that view at a
 * sequence number up to that bound ({@link #abstains}): it still accepts the others' batches and
 * executes what 2t+1 of them commit, and votes again from the next view or above the bound. A
 * cluster whose every replica restarted at once thus orders nothing in that view until the
 * request timer moves it to the next (the new view carries every batch a durable commit names).
 *
 * <p>How it learns durability: the runtime reports the highest journal entry made durable
 * ({@link io.lockstep.order.Input.Persisted}) after every fsync that appended one, and writes in
 * the order handed out; so a hard state is durable once the last entry of its own Ready is, or,
 * in a Ready that appends none, the next entry appended after it ({@link Durable#flush}).
 */
final class EarlyVotes {
  /** A hard state handed to storage: the journal entry proving it durable, its view, low mark. */
  private record Written(long index, long view, long low) {}

  private final Pbft p;
  /** The test-only fault: a restarted replica votes as if every vote it sent were durable. */
  private final boolean forgetsEarlyVotes;
  /** View and low watermark of the latest hard state known durable; view -1 before any. */
  private long durableView = -1;
  private long durableLow;
  /** Hard states handed to storage and not yet reported durable, oldest first. */
  private final ArrayDeque<Written> written = new ArrayDeque<>();
  /** After a restart: no new vote in this view (or below) at or below {@link #restartSeq}. */
  private long restartView = -1;
  private long restartSeq;

  EarlyVotes(Pbft p, boolean forgetsEarlyVotes) {
    this.p = p;
    this.forgetsEarlyVotes = forgetsEarlyVotes;
  }

  /** Whether {@code message} may leave before the writes of its Ready are durable. */
  boolean mayLeaveEarly(ProtocolMessage message) {
    if (message instanceof PbftMessage.PrePrepare pp) {
      return covered(pp.view(), pp.seq());
    }
    if (message instanceof PbftMessage.Prepare prepare) {
      return covered(prepare.view(), prepare.seq());
    }
    return false; // commits, view changes, checkpoint votes: all wait for their records
  }

  private boolean covered(long view, long seq) {
    return view <= durableView && seq <= durableLow + p.config.window();
  }

  /** {@link Durable} handed out a hard state, durable once journal entry {@code index} is. */
  void hardStateWritten(long index, long view, long low) {
    written.add(new Written(index, view, low));
  }

  /** The runtime made the journal durable through {@code index}. */
  void persisted(long index) {
    while (!written.isEmpty() && written.peek().index() <= index) {
      Written w = written.poll();
      durableView = Math.max(durableView, w.view());
      durableLow = Math.max(durableLow, w.low());
    }
  }

  /** A replica restarted from a hard state of {@code view} with low watermark {@code low}. */
  void recovered(long view, long low) {
    durableView = view;
    durableLow = low;
    restartView = forgetsEarlyVotes ? -1 : view;
    restartSeq = low + p.config.window();
  }

  /** Whether a new vote at {@code seq} in the current view could contradict a forgotten one. */
  boolean abstains(long seq) {
    return p.view <= restartView && seq <= restartSeq;
  }
}
