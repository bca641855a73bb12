package io.lockstep.order.raft;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;

/**
 * The executor took a snapshot ({@link io.lockstep.order.Input.SnapshotTaken}): Raft persists it
 * and compacts its log up to it, less the configured margin (§5.1, X2).
 */
final class SnapshotTaken {
  private SnapshotTaken() {}

  /** Returns the snapshot {@code raft} holds afterwards: {@code held}, or the one taken. */
  static Snapshot take(Raft raft, long position, SnapshotData state, Snapshot held) {
    if (position < 0 || position > raft.applied()) {
      throw new IllegalArgumentException("snapshot position " + position
          + " must be in [0, " + raft.applied() + "], the positions handed out as stable");
    }
    if (position <= raft.snapshotIndex()) {
      return held; // an older snapshot than the one already held
    }
    RaftLog log = raft.log();
    RaftConfig config = raft.config();
    Snapshot taken = new Snapshot(position, log.termAt(position), log.timeAt(position),
        raft.membership().at(position), state);
    raft.membership().compactTo(position);
    raft.out().saveSnapshot(taken);
    // Keep a margin of entries in memory so that a follower a little behind gets AppendEntries
    // rather than the whole snapshot; stable storage drops them all (snapshot replaces log).
    // The margin reaches down to the oldest snapshot still being sent, so its follower goes on
    // from the log once it lands; the byte cap bounds both.
    long keepAfter = Math.min(position - config.compactionMargin(),
        raft.replication().oldestSnapshotSent());
    long compactTo = Math.max(keepAfter,
        log.suffixStartWithin(position, config.compactionMarginBytes()) - 1);
    if (compactTo > log.snapshotIndex()) {
      log.compactTo(compactTo);
    }
    return taken;
  }
}
