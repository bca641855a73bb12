package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import java.util.List;
import java.util.Set;

/**
 * Checks that a received message makes sense before any state looks at it (untrusted input is
 * validated, counted and dropped). Shapes were checked by the records' constructors; this checks
 * the relations between fields that every correct sender keeps.
 */
final class MessageCheck {
  private MessageCheck() {}

  /**
   * Why a received message must be dropped before its term is even looked at, or null. The
   * sender need not be in this replica's configuration (§4.1: servers process RPCs without
   * consulting it): a replica that lags may not yet know the leader that a change added.
   */
  static String rejection(int from, ProtocolMessage message, int self) {
    if (!(message instanceof RaftMessage m)) {
      return "not a Raft message: " + message.getClass().getName();
    }
    if (from == self) {
      return "message from self";
    }
    if (from < 0) {
      return "message from invalid id " + from;
    }
    String problem = problem(m);
    return problem == null ? null
        : "malformed " + m.getClass().getSimpleName() + " from " + from + ": " + problem;
  }

  /** Why {@code m} is malformed, or null if it is well formed. */
  static String problem(RaftMessage m) {
    if (m instanceof RaftMessage.PreVote v) {
      return voteProblem(v.term(), v.lastLogTerm(), true);
    }
    if (m instanceof RaftMessage.RequestVote v) {
      return voteProblem(v.term(), v.lastLogTerm(), false);
    }
    if (m instanceof RaftMessage.AppendEntries a) {
      return appendProblem(a);
    }
    if (m instanceof RaftMessage.InstallSnapshot s) {
      return snapshotProblem(s);
    }
    if (m instanceof RaftMessage.SnapshotChunk c) {
      // An empty first chunk is how a source says which snapshot it holds (too old to serve),
      // at index 0 that it holds none.
      RaftMessage.InstallSnapshot chunk = c.chunk();
      if (chunk.offset() != 0 || chunk.data().length != 0) {
        return snapshotProblem(chunk);
      }
      return chunk.index() == 0 && chunk.snapshotTerm() == 0 && chunk.size() == 0 ? null
          : snapshotHeaderProblem(chunk);
    }
    if (m instanceof RaftMessage.Heartbeat || m instanceof RaftMessage.TimeoutNow
        || m instanceof RaftMessage.SnapshotSource) {
      return m.term() == 0 ? "term 0 precedes every election" : null;
    }
    if (m instanceof RaftMessage.AppendEntriesResponse r) {
      return responseProblem(r);
    }
    return null;
  }

  private static String voteProblem(long term, long lastLogTerm, boolean preVote) {
    if (term == 0) {
      return "term 0 precedes every election";
    }
    // A candidate's log holds no entry newer than its current term; a pre-vote names term + 1.
    if (preVote ? lastLogTerm >= term : lastLogTerm > term) {
      return "last log term " + lastLogTerm + " is newer than the candidate's term " + term;
    }
    return null;
  }

  private static String appendProblem(RaftMessage.AppendEntries a) {
    if (a.term() == 0) {
      return "term 0 precedes every election";
    }
    if (a.prevLogTerm() > a.term()) {
      return "prevLogTerm " + a.prevLogTerm() + " is newer than the term " + a.term();
    }
    if (a.prevLogIndex() == 0 && a.prevLogTerm() != 0) {
      return "prevLogTerm " + a.prevLogTerm() + " for the empty prefix";
    }
    long lastTerm = a.prevLogTerm();
    long lastTime = Long.MIN_VALUE;
    List<LogEntry> entries = a.entries();
    for (LogEntry entry : entries) {
      if (entry.term() < lastTerm || entry.term() > a.term() || entry.term() == 0) {
        return "entry " + entry.index() + " has term " + entry.term() + " outside ["
            + Math.max(1, lastTerm) + ", " + a.term() + "]";
      }
      if (entry.time() < lastTime) {
        return "entry " + entry.index() + " has time " + entry.time() + " before " + lastTime;
      }
      if (ConfigEntry.is(entry.request()) && ConfigEntry.problem(entry.request()) != null) {
        return "entry " + entry.index() + " is a malformed configuration entry: "
            + ConfigEntry.problem(entry.request());
      }
      lastTerm = entry.term();
      lastTime = entry.time();
    }
    return null;
  }

  private static String snapshotProblem(RaftMessage.InstallSnapshot s) {
    String problem = snapshotHeaderProblem(s);
    if (problem == null && s.data().length == 0 && s.size() > 0) {
      return "empty chunk of a snapshot of " + s.size() + " bytes";
    }
    return problem;
  }

  /** What is wrong with a chunk's description of its snapshot, whatever its data. */
  private static String snapshotHeaderProblem(RaftMessage.InstallSnapshot s) {
    long term = s.term();
    if (term == 0) {
      return "term 0 precedes every election";
    }
    if (s.index() == 0 || s.snapshotTerm() == 0 || s.snapshotTerm() > term) {
      return "snapshot at index " + s.index() + " term " + s.snapshotTerm() + " in term " + term;
    }
    if (s.members().isEmpty() || Set.copyOf(s.members()).size() != s.members().size()
        || s.members().stream().anyMatch(id -> id < 0)) {
      return "snapshot of members " + s.members() + ": not a set of replica ids";
    }
    if (s.size() > SnapshotChunks.MAX_SNAPSHOT_BYTES) {
      return "snapshot of " + s.size() + " bytes exceeds " + SnapshotChunks.MAX_SNAPSHOT_BYTES;
    }
    return null;
  }

  private static String responseProblem(RaftMessage.AppendEntriesResponse r) {
    if (r.success() && (r.hintIndex() != 0 || r.hintTerm() != 0)) {
      return "a hint on success";
    }
    if (!r.success() && r.hintIndex() > r.index()) {
      return "hint " + r.hintIndex() + " above the rejected index " + r.index();
    }
    return null;
  }

  /**
   * The answer to a request from an older term: the current term, so a deposed leader or a
   * lagging candidate learns it (§3.3; etcd does the same so that a node whose term ran ahead
   * during a partition can rejoin under check-quorum); null for messages that get none. A
   * replica repairing damaged storage marks even this answer, as all its AppendEntries answers.
   */
  static RaftMessage staleTermAnswer(RaftMessage m, long term, long clock, boolean repairing) {
    if (m instanceof RaftMessage.AppendEntries a) {
      return new RaftMessage.AppendEntriesResponse(term, false, a.prevLogIndex(), 0, 0, clock,
          repairing);
    } else if (m instanceof RaftMessage.Heartbeat h) {
      return new RaftMessage.HeartbeatResponse(term, h.readContext(), clock);
    } else if (m instanceof RaftMessage.InstallSnapshot s) {
      return new RaftMessage.InstallSnapshotResponse(term, 0, s.index(), 0);
    } else if (m instanceof RaftMessage.RequestVote) {
      return new RaftMessage.RequestVoteResponse(term, false);
    } else if (m instanceof RaftMessage.PreVote) {
      return new RaftMessage.PreVoteResponse(term, false);
    }
    return null;
  }
}
