package io.lockstep.order.pbft;

import io.lockstep.order.Recovered;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Protocol-aware recovery (Alagappan et al., "Protocol-Aware Recovery for Consensus-Based
 * Storage", FAST 2018) applied to PBFT: a replica whose storage lost records it wrote no longer
 * knows which prepares, commits, checkpoint votes and view changes it sent. Voting again from
 * what is left could contradict a lost vote (two prepares for one (view, seq), a view change
 * whose P set omits a batch it prepared), which turns a correct replica into a faulty one: with
 * t others faulty too, safety is gone. So it rejoins <b>without voting</b> and learns from its
 * peers how far its lost votes could reach:
 *
 * <ol>
 *   <li>while it repairs it sends no pre-prepare, prepare, commit, checkpoint vote, view change
 *       or new view, and answers no read; it still takes pre-prepares, commits and checkpoint
 *       proofs from the others, so it executes what 2t+1 others commit and fetches state;
 *   <li>it collects {@link PbftMessage.Status} reports from 2t+1 distinct peers and waits until
 *       it holds a stable checkpoint (2t+1 signed votes, state fetched by state transfer with
 *       t+1 matching digests) at least as high as the (t+1)-th highest checkpoint they report:
 *       at least one correct peer holds a proof that high and hands it over, and t liars cannot
 *       raise the target beyond what a correct replica proves;
 *   <li>it stays out of every sequence number up to that checkpoint plus the window L (before
 *       the damage its window ended at its own stable checkpoint plus L, and that checkpoint is
 *       at most the one it learnt), and up to the highest one its readable journal names or its
 *       stored checkpoint plus L: it executes what the others commit there and votes again
 *       once it has executed through that bound, so every later vote is at a sequence number
 *       it never voted at before;
 *   <li>from then on it never sends a view change for a view at or below the highest view any
 *       reporter showed or its storage shows: a view change it sent and forgot let a new view
 *       form only if 2t+1 replicas sent one, and any 2t+1 reporters include a correct one of
 *       those, which reached that view.
 * </ol>
 *
 * <p>Until it votes again it counts as one of the t faulty replicas ({@link Pbft#repairing()}):
 * the others order without it, so a cluster with another replica down waits for that one.
 *
 * <p>The repair state is part of the hard state ({@link DurableState}), which the first Ready
 * after the restart writes before any message leaves: storage stops reporting the damage only
 * then, and a crash during the repair resumes it.
 */
final class Repair {
  private final Pbft p;
  /** The test-only fault: votes while repairing (the simulator's checkers must catch it). */
  private final boolean votesWhileRepairing;
  /** Whether the replica repairs now. */
  boolean active;
  /** It never votes at a sequence number at or below this (0: no bound). */
  long noVoteThroughSeq;
  /** It never sends a view change for a view at or below this (-1: no bound). */
  long noVoteThroughView = -1;
  /** The checkpoint to reach, frozen at the 2t+1-th report; -1 until then. */
  private long target = -1;
  /** The latest status of each peer since the repair started. */
  private final Map<Integer, PbftMessage.Status> reports = new TreeMap<>();
  private String reason = "";

  Repair(Pbft p, boolean votesWhileRepairing) {
    this.p = p;
    this.votesWhileRepairing = votesWhileRepairing;
  }

  /** Resumes the repair state a recovered replica stored. */
  void restore(DurableState state) {
    active = state.repairing();
    noVoteThroughSeq = state.noVoteThroughSeq();
    noVoteThroughView = state.noVoteThroughView();
    if (active) {
      reason = "a repair stored before this restart is not finished";
    }
  }

  /**
   * Storage reported {@code damage}: the repair starts, with the bounds that what is readable
   * already gives ({@code journalSeq}: the highest sequence number any readable journal entry
   * names, which this replica may have voted at).
   *
   * @throws IllegalArgumentException if fewer peers than a quorum exist to repair from
   */
  void start(Recovered.Damage damage, long journalSeq) {
    refuseWithoutQuorum(damage.description());
    begin("damaged storage: " + damage.description(), journalSeq);
  }

  /**
   * The wipe check found this empty data directory wiped ({@link WipeCheck}): the repair starts
   * as after damage from the first sequence number, with {@code finding} as its reason. The
   * replica has voted nowhere since this start (it was unverified), and t+1 members answered,
   * so the configuration has peers to repair from.
   */
  void onWipeDetected(String finding) {
    begin(finding, 0);
  }

  private void refuseWithoutQuorum(String description) {
    long peers = p.membership.current().members().stream().filter(m -> m != p.self()).count();
    if (peers < p.quorum().quorum()) {
      throw new IllegalArgumentException("replica " + p.self() + "'s storage is damaged ("
          + description + ") and it has " + peers + " peers, fewer than the "
          + p.quorum().quorum() + " it must hear from to repair; refusing to start rather than"
          + " vote again where it may have voted differently before");
    }
  }

  private void begin(String why, long journalSeq) {
    active = true;
    target = -1;
    reports.clear();
    reason = why;
    noVoteThroughSeq = Math.max(noVoteThroughSeq, Math.max(journalSeq,
        p.low + p.config.window()));
    noVoteThroughView = Math.max(noVoteThroughView, p.view);
  }

  /** Why the replica repairs, "" when it does not. */
  String reason() {
    return active ? reason : "";
  }

  /**
   * Whether this replica may cast a new pre-prepare, prepare or commit at {@code seq}: not while
   * it repairs, nor while its wipe check has not decided ({@link WipeCheck}), nor where a vote
   * it sent before a restart may have been lost ({@link EarlyVotes#abstains}).
   */
  boolean mayVote(long seq) {
    return votesWhileRepairing || mayRepeat(seq) && !p.early.abstains(seq);
  }

  /**
   * Whether it may repeat a vote it holds at {@code seq}: after a plain restart it holds only
   * votes its journal kept, so repeating them contradicts nothing; a repairing replica repeats
   * none, as its journal may have lost what they were superseded by.
   */
  boolean mayRepeat(long seq) {
    return votesWhileRepairing || !active && p.wipe.verified() && seq > noVoteThroughSeq;
  }

  /** Whether it may send a view change or new view for {@code view}. */
  boolean mayVoteForView(long view) {
    return votesWhileRepairing || !active && p.wipe.verified() && view > noVoteThroughView;
  }

  /** Whether it may sign and send checkpoint votes (and answer reads). */
  boolean mayVouch() {
    return votesWhileRepairing || !active && p.wipe.verified();
  }

  /** A peer's status: its view and stable checkpoint count toward the repair's bounds. */
  void onStatus(int from, PbftMessage.Status status) {
    if (!active || !p.membership.current().contains(from)) {
      return;
    }
    reports.put(from, status);
    if (target < 0 && reports.size() >= p.quorum().quorum()) {
      List<Long> stable = new ArrayList<>();
      reports.values().forEach(s -> stable.add(s.stableSeq()));
      stable.sort(Comparator.reverseOrder());
      target = stable.get(Math.min(p.config.t(), stable.size() - 1));
    }
  }

  /**
   * Moves the repair on after every step, so that the Ready that follows persists each move:
   * once the target checkpoint is stable here with its state installed, the sequence-number
   * bound is learnt (that checkpoint plus the window); once this replica has executed through
   * the bound, every sequence number still to come lies above it, and the repair ends with the
   * view bound taken from the latest reports. Until then it votes nowhere: counting as a
   * voter with a hole in its window would leave the others one voter short without knowing it.
   */
  void tryFinish() {
    if (!active || target < 0 || p.low < target || p.transfer.active()
        || p.lastExecuted < p.low) {
      return;
    }
    noVoteThroughSeq = Math.max(noVoteThroughSeq, target + p.config.window());
    if (p.lastExecuted < noVoteThroughSeq) {
      return;
    }
    long highestView = p.view;
    for (PbftMessage.Status s : reports.values()) {
      highestView = Math.max(highestView, s.view());
    }
    noVoteThroughView = Math.max(noVoteThroughView, highestView);
    active = false;
    reports.clear();
    target = -1;
  }
}
