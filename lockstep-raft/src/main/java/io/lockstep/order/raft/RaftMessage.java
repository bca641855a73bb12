package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Snapshot;
import java.util.List;
import java.util.Objects;

/**
 * Every message {@link Raft} replicas exchange (Ongaro's dissertation, ch. 3, 5, 6, 9).
 *
 * <p>Compact constructors check shapes only (non-negative numbers, contiguous entries); whether a
 * message makes sense to its receiver (terms, members, log positions) is checked on receipt, where
 * bad messages are dropped and counted. The sender is not a field: the runtime names it in
 * {@link io.lockstep.order.Input.Receive#from()}.
 */
public sealed interface RaftMessage extends ProtocolMessage {
  /** The sender's term (for a granted pre-vote: the term the candidate would campaign in). */
  long term();

  /**
   * Pre-vote request (§9.6): "would you vote for me in {@code term}?" Nobody's term changes.
   *
   * @param term the candidate's current term plus one
   * @param lastLogIndex index of the candidate's last log entry
   * @param lastLogTerm term of the candidate's last log entry
   */
  record PreVote(long term, long lastLogIndex, long lastLogTerm) implements RaftMessage {
    public PreVote {
      nonNegative("term", term);
      nonNegative("lastLogIndex", lastLogIndex);
      nonNegative("lastLogTerm", lastLogTerm);
    }
  }

  /**
   * Answer to a {@link PreVote}.
   *
   * @param term the pre-vote's term if granted, else the voter's current term
   * @param granted whether the voter would vote
   */
  record PreVoteResponse(long term, boolean granted) implements RaftMessage {
    public PreVoteResponse {
      nonNegative("term", term);
    }
  }

  /**
   * RequestVote RPC (§3.4).
   *
   * @param term the candidate's term
   * @param lastLogIndex index of the candidate's last log entry
   * @param lastLogTerm term of the candidate's last log entry
   * @param transfer true when the election was started by {@link TimeoutNow} (leadership
   *     transfer, §3.10): voters then disregard leader stickiness
   */
  record RequestVote(long term, long lastLogIndex, long lastLogTerm, boolean transfer)
      implements RaftMessage {
    public RequestVote {
      nonNegative("term", term);
      nonNegative("lastLogIndex", lastLogIndex);
      nonNegative("lastLogTerm", lastLogTerm);
    }
  }

  /**
   * Answer to a {@link RequestVote}.
   *
   * @param term the voter's current term
   * @param granted whether the vote was granted
   * @param clock the voter's wall clock at its latest tick (0: none), so that a candidate that
   *     wins holds a quorum of clock readings for agreed time from its first entry on
   */
  record RequestVoteResponse(long term, boolean granted, long clock) implements RaftMessage {
    public RequestVoteResponse {
      nonNegative("term", term);
      nonNegative("clock", clock);
    }

    /** An answer without a clock reading (0: none). */
    public RequestVoteResponse(long term, boolean granted) {
      this(term, granted, 0);
    }
  }

  /**
   * AppendEntries RPC (§3.5): log entries after {@code prevLogIndex}, possibly none.
   *
   * @param term the leader's term
   * @param prevLogIndex index of the entry just before {@code entries}
   * @param prevLogTerm term of that entry
   * @param entries entries {@code prevLogIndex + 1, prevLogIndex + 2, ...}
   * @param leaderCommit the leader's commitIndex
   */
  record AppendEntries(
      long term, long prevLogIndex, long prevLogTerm, List<LogEntry> entries, long leaderCommit)
      implements RaftMessage {
    public AppendEntries {
      nonNegative("term", term);
      nonNegative("prevLogIndex", prevLogIndex);
      nonNegative("prevLogTerm", prevLogTerm);
      nonNegative("leaderCommit", leaderCommit);
      entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i).index() != prevLogIndex + 1 + i) {
          throw new IllegalArgumentException("entry " + i + " has index " + entries.get(i).index()
              + ", expected " + (prevLogIndex + 1 + i));
        }
      }
    }

    /** Index of the last entry carried, or {@code prevLogIndex} when there is none. */
    public long lastIndex() {
      return prevLogIndex + entries.size();
    }
  }

  /**
   * Answer to an {@link AppendEntries}. On reject, the hint lets the leader skip a whole term of
   * mismatching entries at once (§5.3 fast backtracking, as in etcd-io/raft).
   *
   * @param term the follower's current term
   * @param success whether the entries were accepted
   * @param index on success the last index known to match the leader's log; on reject the
   *     rejected {@code prevLogIndex}
   * @param hintIndex on reject: the largest index at or below {@code index} whose term is at most
   *     the rejected {@code prevLogTerm} (or the follower's last index if shorter); else 0
   * @param hintTerm the follower's term at {@code hintIndex}; 0 if unknown
   * @param clock the follower's wall clock at its latest tick, in milliseconds since the epoch
   *     (0: none yet): the leader bounds agreed time by a quorum of such reports
   * @param repairing the follower is repairing damaged storage: the leader must not count this
   *     acknowledgement toward a commit and must forget what it believed the follower held
   */
  record AppendEntriesResponse(long term, boolean success, long index, long hintIndex,
      long hintTerm, long clock, boolean repairing) implements RaftMessage {
    public AppendEntriesResponse {
      nonNegative("term", term);
      nonNegative("index", index);
      nonNegative("hintIndex", hintIndex);
      nonNegative("hintTerm", hintTerm);
      nonNegative("clock", clock);
    }

    /** An answer from a follower that is not repairing. */
    public AppendEntriesResponse(long term, boolean success, long index, long hintIndex,
        long hintTerm, long clock) {
      this(term, success, index, hintIndex, hintTerm, clock, false);
    }
  }

  /**
   * Leader heartbeat (§3.5, §6.4): keeps followers from starting elections, carries the commit
   * index the follower is known to hold, and a ReadIndex round number.
   *
   * @param term the leader's term
   * @param commit the leader's commitIndex, capped at the follower's known matchIndex
   * @param readContext the round this heartbeat belongs to; echoed back to confirm leadership
   */
  record Heartbeat(long term, long commit, long readContext) implements RaftMessage {
    public Heartbeat {
      nonNegative("term", term);
      nonNegative("commit", commit);
      nonNegative("readContext", readContext);
    }
  }

  /**
   * Answer to a {@link Heartbeat}.
   *
   * @param term the follower's current term
   * @param readContext the heartbeat's round, echoed
   * @param clock the follower's wall clock at its latest tick, as in
   *     {@link AppendEntriesResponse#clock()}
   * @param held the latest snapshot the follower holds ({@link SnapshotId#NONE} if none): the
   *     leader names as a snapshot source only a replica known to hold a recent enough one
   * @param fetching the snapshot index the follower is fetching from a named source, 0 if none:
   *     a leader waiting on a source transfer learns that its naming (or the follower's answer
   *     giving up on the source) was lost, instead of waiting for ever on a live follower
   */
  record HeartbeatResponse(long term, long readContext, long clock, SnapshotId held,
      long fetching) implements RaftMessage {
    public HeartbeatResponse {
      nonNegative("term", term);
      nonNegative("readContext", readContext);
      nonNegative("clock", clock);
      Objects.requireNonNull(held, "held");
      nonNegative("fetching", fetching);
    }

    /** An answer that fetches nothing from a source. */
    public HeartbeatResponse(long term, long readContext, long clock, SnapshotId held) {
      this(term, readContext, clock, held, 0);
    }

    /** An answer that reports no snapshot (to a heartbeat of an older term). */
    public HeartbeatResponse(long term, long readContext, long clock) {
      this(term, readContext, clock, SnapshotId.NONE, 0);
    }
  }

  /**
   * Names one stored snapshot: its index, the term at that index, and the CRC32C of its whole
   * state, against which a follower checks what it received before installing it.
   *
   * @param index the snapshot's last included index (0: no snapshot)
   * @param term the term of the entry at {@code index}
   * @param checksum CRC32C of the whole state
   */
  record SnapshotId(long index, long term, int checksum) {
    /** No snapshot. */
    public static final SnapshotId NONE = new SnapshotId(0, 0, 0);

    public SnapshotId {
      nonNegative("index", index);
      nonNegative("term", term);
    }
  }

  /**
   * InstallSnapshot RPC (§5.3, Figure 13 of the Raft paper): one chunk of the leader's latest
   * snapshot, so that neither side ever holds a whole large state in one message. The leader
   * sends the next chunk only when the follower acknowledged the previous one.
   *
   * @param term the leader's term
   * @param index the snapshot's last included index
   * @param snapshotTerm the term of the entry at {@code index}
   * @param time the agreed time at {@code index}
   * @param members the configuration at {@code index}
   * @param size the whole snapshot state's length in bytes
   * @param checksum CRC32C of the whole snapshot state, the same in every chunk: the follower
   *     checks what it received against it before installing, whoever sent the chunks
   * @param offset where {@code data} starts in the state
   * @param data the chunk (at most {@link SnapshotChunks#MAX_CHUNK_BYTES})
   */
  record InstallSnapshot(long term, long index, long snapshotTerm, long time,
      List<Integer> members, long size, int checksum, long offset, byte[] data)
      implements RaftMessage {
    public InstallSnapshot {
      nonNegative("term", term);
      nonNegative("index", index);
      nonNegative("snapshotTerm", snapshotTerm);
      nonNegative("size", size);
      nonNegative("offset", offset);
      members = List.copyOf(members);
      Objects.requireNonNull(data, "data");
      if (data.length > SnapshotChunks.MAX_CHUNK_BYTES || offset > size - data.length) {
        throw new IllegalArgumentException("chunk of " + data.length + " bytes at offset "
            + offset + " does not fit a snapshot of " + size + " bytes");
      }
    }

    /** True for the chunk that completes the snapshot (the paper's {@code done} flag). */
    public boolean done() {
      return offset + data.length == size;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof InstallSnapshot m && m.term == term && m.index == index
          && m.snapshotTerm == snapshotTerm && m.time == time && m.members.equals(members)
          && m.size == size && m.checksum == checksum && m.offset == offset
          && java.util.Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(term, index, offset, size) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "InstallSnapshot[term=" + term + ", index=" + index + ", snapshotTerm="
          + snapshotTerm + ", size=" + size + ", checksum=" + checksum + ", offset=" + offset
          + ", chunk=" + data.length
          + "]";
    }
  }

  /**
   * Answer to an {@link InstallSnapshot}: either the snapshot is in ({@code index} at or past
   * the snapshot's index), or how much of the snapshot at {@code snapshotIndex} the follower
   * holds, which is where the leader goes on (also after a lost chunk or a leader change).
   *
   * @param term the follower's current term
   * @param index the last index the follower now holds that matches the leader's log
   * @param snapshotIndex the snapshot being received
   * @param received bytes of it received so far, in order from the start
   */
  record InstallSnapshotResponse(long term, long index, long snapshotIndex, long received)
      implements RaftMessage {
    public InstallSnapshotResponse {
      nonNegative("term", term);
      nonNegative("index", index);
      nonNegative("snapshotIndex", snapshotIndex);
      nonNegative("received", received);
    }
  }

  /**
   * State transfer from a replica other than the leader: "fetch a snapshot at or past
   * {@code index} from {@code source}" ({@link SnapshotFetch}). Sent by the leader, in place of
   * its own first chunk, to a follower behind its log's start; the follower answers the leader
   * only when it installed (an {@link InstallSnapshotResponse} at or past {@code index}) or when
   * it gives up on the source (one naming {@code index} and how much of the leader's snapshot it
   * holds, from where the leader sends chunks itself).
   *
   * @param term the leader's term
   * @param source the replica to fetch from: a voter that reported holding {@code snapshot}
   * @param snapshot the snapshot to fetch, as the source reported it, at or past the leader's
   *     own snapshot: the follower takes exactly this one, and checks its whole checksum
   */
  record SnapshotSource(long term, int source, SnapshotId snapshot) implements RaftMessage {
    public SnapshotSource {
      nonNegative("term", term);
      nonNegative("source", source);
      Objects.requireNonNull(snapshot, "snapshot");
    }

    /** The index of the snapshot to fetch. */
    public long index() {
      return snapshot.index();
    }
  }

  /**
   * A follower's request to a {@link SnapshotSource}'s source: "the chunk at {@code offset} of
   * your snapshot, if it is at or past {@code index}".
   *
   * @param term the follower's current term
   * @param index the least snapshot index the follower accepts
   * @param offset where the wanted chunk starts
   */
  record FetchSnapshot(long term, long index, long offset) implements RaftMessage {
    public FetchSnapshot {
      nonNegative("term", term);
      nonNegative("index", index);
      nonNegative("offset", offset);
    }
  }

  /**
   * A source's answer to a {@link FetchSnapshot}: one chunk of its latest snapshot and the
   * CRC32C of the chunk's bytes, which the follower checks before it stores them (a chunk
   * damaged on the way is refused, never installed).
   *
   * @param term the source's current term
   * @param chunk the chunk, in the leader's chunk format
   * @param checksum CRC32C of {@code chunk.data()}
   */
  record SnapshotChunk(long term, InstallSnapshot chunk, int checksum) implements RaftMessage {
    public SnapshotChunk {
      nonNegative("term", term);
      Objects.requireNonNull(chunk, "chunk");
    }
  }

  /**
   * Leadership transfer (§3.10): "start an election now", sent by the leader to an up-to-date
   * target.
   *
   * @param term the leader's term
   */
  record TimeoutNow(long term) implements RaftMessage {
    public TimeoutNow {
      nonNegative("term", term);
    }
  }

  /**
   * Wipe detection ({@link WipeCheck}): "this is the incarnation of my data directory; which one
   * do you remember of me?" Sent by a replica that started without a hard state (and by one
   * whose hard state predates incarnations), to the peers that have not answered yet. Neither
   * this message nor its answer changes anyone's term: they are not part of an election or of
   * replication.
   *
   * @param term the sender's current term
   * @param incarnation the sender's incarnation (never 0)
   */
  record IncarnationProbe(long term, long incarnation) implements RaftMessage {
    public IncarnationProbe {
      nonNegative("term", term);
      if (incarnation == 0) {
        throw new IllegalArgumentException("incarnation 0 names none");
      }
    }
  }

  /**
   * Answer to an {@link IncarnationProbe}.
   *
   * @param term the answering replica's current term
   * @param remembered the incarnation of the prober it heard first, before this probe; 0 if
   *     none
   */
  record IncarnationAnswer(long term, long remembered) implements RaftMessage {
    public IncarnationAnswer {
      nonNegative("term", term);
    }
  }

  /**
   * "My committed configuration, made by the entry at {@code configIndex}, does not include
   * you": the answer a member gives a pre-vote or vote request from a replica that is not a
   * voter there. A replica removed while it was down and restarted with a log from before its
   * removal still believes it votes, and the leader no longer replicates to it, so without this
   * answer it would campaign for ever. Like the incarnation messages it is outside the term
   * rules: it changes nobody's term.
   *
   * @param term the answering replica's current term
   * @param configIndex the log index of the committed configuration entry that excludes the
   *     receiver
   * @param voters that configuration's voters, ascending
   */
  record NotMember(long term, long configIndex, List<Integer> voters) implements RaftMessage {
    public NotMember {
      nonNegative("term", term);
      if (configIndex < 1) {
        throw new IllegalArgumentException("configIndex must be positive, was " + configIndex);
      }
      voters = List.copyOf(voters);
      if (voters.isEmpty()) {
        throw new IllegalArgumentException("a configuration has at least one voter");
      }
      for (int i = 0; i < voters.size(); i++) {
        if (voters.get(i) < 0 || i > 0 && voters.get(i) <= voters.get(i - 1)) {
          throw new IllegalArgumentException("voters must be non-negative, distinct and"
              + " ascending: " + voters);
        }
      }
    }
  }

  private static void nonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
  }
}
