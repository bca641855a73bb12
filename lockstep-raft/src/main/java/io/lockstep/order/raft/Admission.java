package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.request.Request;

/**
 * Whether this replica takes a client's request or read now, or redirects it: only a leader
 * that is not handing leadership over takes them (§6.2), and a leader takes a proposal only
 * while its entries not yet committed fit a byte budget (in the spirit of etcd-io/raft's
 * MaxUncommittedEntriesSize). While followers are slow or unreachable, proposals are then refused
 * as busy instead of growing the log until the heap is gone; a proposal is always admitted when
 * nothing is uncommitted, so one request larger than the budget still goes through. The whole
 * log since the last snapshot has a byte budget too ({@link RaftConfig#maxLogBytes}): committed
 * entries stay in the log (in memory only within {@link RaftConfig#logCacheBytes}) until a
 * snapshot compacts them, and a proposal that would push the log past it waits for that
 * snapshot.
 */
final class Admission {
  private final Raft raft;
  private final long limit;
  private final long logLimit;
  private long uncommittedBytes;

  Admission(Raft raft) {
    this.raft = raft;
    this.limit = raft.config().maxUncommittedBytes();
    this.logLimit = raft.config().maxLogBytes();
  }

  /** Appends {@code request} as leader, or redirects it. */
  void propose(Request request) {
    Ready.Redirect refusal = refusal(request, -1);
    if (refusal == null) {
      refusal = budgetRefusal(request);
    }
    if (refusal != null) {
      raft.out().redirect(refusal);
    } else {
      raft.appendLocal(request);
    }
  }

  /**
   * A busy refusal if {@code request} does not fit the byte budgets, else null. Not ordered: the
   * client may retry the same request as it is (X4 sessions dedupe).
   */
  private Ready.Redirect budgetRefusal(Request request) {
    long size = RaftLog.sizeOf(request);
    if (uncommittedBytes > 0 && uncommittedBytes + size > limit) {
      return new Ready.Redirect(request, -1, raft.self(), "leader busy: "
          + uncommittedBytes + " bytes of entries await commit (limit " + limit
          + "); retry shortly", true);
    }
    long logBytes = raft.log().bytes();
    // Past the margin, the log holds entries a snapshot will compact: wait for it.
    if (logBytes > raft.config().compactionMarginBytes() && logBytes + size > logLimit) {
      return new Ready.Redirect(request, -1, raft.self(), "leader busy: the in-memory log holds "
          + logBytes + " bytes until the next snapshot (limit " + logLimit + "); retry shortly",
          true);
    }
    return null;
  }

  /**
   * True once the in-memory log holds half its byte budget and something applied is not yet in
   * a snapshot: a snapshot then compacts the log well before proposals are refused. Every
   * replica asks, not only the leader, since each compacts its own log.
   */
  boolean wantsSnapshot(boolean appliedBeyondSnapshot) {
    return appliedBeyondSnapshot && raft.log().bytes() >= logLimit / 2;
  }

  /** Starts a ReadIndex read as leader, or redirects it. */
  void read(long readId) {
    Ready.Redirect refusal = refusal(null, readId);
    if (refusal != null) {
      raft.out().redirect(refusal);
    } else {
      raft.readIndex().request(readId);
    }
  }

  private Ready.Redirect refusal(Request request, long readId) {
    if (ConfigEntry.is(request)) {
      // Only the leader writes configuration entries (ConfigChange): a client posing as their
      // issuer would otherwise change the membership.
      return new Ready.Redirect(request, readId, Raft.NONE, "client id " + ConfigEntry.ISSUER
          + " is reserved for configuration entries");
    }
    if (raft.role() != Role.LEADER) {
      return new Ready.Redirect(request, readId, raft.leader(), "not leader");
    }
    if (raft.replication().transferring()) {
      return new Ready.Redirect(request, readId, raft.replication().transferTarget(),
          "leadership transfer in progress");
    }
    return null;
  }

  /** A new leader counts every entry above the commit index, its predecessors' included. */
  void becameLeader(RaftLog log, long commitIndex) {
    uncommittedBytes = 0;
    for (long i = commitIndex + 1; i <= log.lastIndex(); i++) {
      uncommittedBytes += RaftLog.sizeOf(log.entry(i));
    }
  }

  /** The leader appended {@code entry} of its own. */
  void appended(LogEntry entry) {
    uncommittedBytes += RaftLog.sizeOf(entry);
  }

  /** The leader committed {@code entry}. */
  void committed(LogEntry entry) {
    uncommittedBytes -= RaftLog.sizeOf(entry);
    if (uncommittedBytes < 0) {
      throw new IllegalStateException("uncommitted bytes went negative: " + uncommittedBytes);
    }
  }
}
