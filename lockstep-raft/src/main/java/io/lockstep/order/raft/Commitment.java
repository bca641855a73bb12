package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Role;

/**
 * commitIndex and the last applied index (§3.5), and the one place that moves them: committed
 * entries become the paper's "stable" requests (S11), handed to the executor exactly once and in
 * log order, and an installed snapshot (§5.3) moves both to its index at once.
 *
 * <p>Separate from {@link Raft} because the rule "every index up to commitIndex is delivered
 * once, in order, and nothing beyond the log is ever committed" is best kept where nothing else
 * writes these two numbers; Raft and its parts only read them or ask to advance them.
 */
final class Commitment {
  private final Raft raft;
  private long commitIndex;
  private long applied;

  Commitment(Raft raft) {
    this.raft = raft;
  }

  /**
   * Starts at the recovered snapshot's index: the runtime restored that snapshot into the
   * executor, so its requests are not delivered again.
   */
  void recovered(long snapshotIndex) {
    commitIndex = snapshotIndex;
    applied = snapshotIndex;
  }

  /** Advances commitIndex and hands the newly committed requests to the executor, in order. */
  void commitTo(long index) {
    if (index <= commitIndex) {
      return;
    }
    RaftLog log = raft.log();
    if (index > log.lastIndex()) {
      throw new IllegalStateException("commit to " + index + " beyond last index "
          + log.lastIndex() + " in " + raft);
    }
    commitIndex = index;
    for (long i = applied + 1; i <= index; i++) {
      LogEntry entry = log.entry(i);
      if (raft.role() == Role.LEADER) {
        raft.admission().committed(entry);
      }
      if (!entry.isNoOp()) {
        raft.out().stable(new Ordered(i, entry.time(), entry.request()));
      }
    }
    applied = index;
    raft.repair().onCommit(index);
    if (raft.role() == Role.LEADER) {
      raft.replication().commitAdvanced();
      raft.readIndex().onCommit();
    }
  }

  /** A leader's snapshot was installed: everything up to its index is committed and applied. */
  void installed(long index) {
    commitIndex = index;
    applied = index;
    raft.repair().onCommit(commitIndex);
  }

  long commitIndex() {
    return commitIndex;
  }

  long applied() {
    return applied;
  }
}
