/**
 * A Raft-class coordination protocol for crash faults with 2t+1 replicas (S11): the paper's
 * Agreement + Order (§3) as a deterministic {@link io.lockstep.order.Coordination}.
 *
 * <p>{@link io.lockstep.order.raft.Raft} is a thin coordinator owning the state and the dispatch;
 * package-private parts compute the decisions: {@code Election} (timers, pre-vote, votes),
 * {@code Replication} and {@code Progress} (the leader's side, flow control, commit rule,
 * check-quorum, transfer), {@code Follower} (consistency check, InstallSnapshot),
 * {@code ReadIndex} (linearizable reads and leases), {@code RaftLog} (the in-memory log after a
 * snapshot), {@code Quorum} (majority maths), {@code Outbox} (the effects of a Ready),
 * {@code MessageCheck} (validation of untrusted messages), {@code Recovery} and
 * {@code Invariants}.
 *
 * <p>Rules this implementation chooses:
 * <ul>
 *   <li><b>Leader self-acknowledgement.</b> The leader counts its own log toward matchIndex only
 *       up to the last entry handed out in the writes of a Ready already returned by
 *       {@link Raft#ready()}. The runtime makes those durable before sending anything later, so a
 *       commit never relies on the leader's unwritten entries. The count is taken at the start
 *       of the next step (a one-member cluster commits on the step after the Ready).
 *   <li><b>Parallel leader appends</b> ({@link RaftConfig#parallelLeaderAppend()}, §10.2.1).
 *       The runtime may send the leader's AppendEntries and heartbeats before the writes of the
 *       same Ready are durable; everything else (votes, responses) still waits for them, and
 *       followers still make entries durable before acknowledging them. The leader then counts
 *       its own log toward matchIndex only up to the highest index reported by
 *       {@link io.lockstep.order.Input.Persisted} whose (index, term) its log still holds;
 *       truncation lowers that mark ({@link Raft#mayLeaveBeforeDurable} names the messages that
 *       may leave early). So a commit still means a majority holds the entry durably: either
 *       the leader's report covers it, or enough followers acknowledged it without the leader.
 *       A leader that
 *       crashes before its fsync loses its unsynced suffix, as any replica whose entries are
 *       not yet committed may; it recovers as a follower with a shorter log. A candidate's term
 *       and vote are durable before its RequestVote is sent, so a leader's term always is.
 *   <li><b>Agreed time.</b> The leader stamps each entry with max(latest Tick, time of its last
 *       entry), so time never decreases along the log, across leader changes too.
 *   <li><b>Lease reads and clocks.</b> With {@code leaseReads}, a leader serves reads without a
 *       heartbeat round until {@code sentAt + T·(1 − maxClockDrift)}, where {@code sentAt} is the
 *       leader's clock when it sent the latest heartbeat round a majority acknowledged. This is
 *       safe only if every replica's clock rate differs from real time by at most
 *       {@code maxClockDrift} (bounded drift; offsets do not matter, jumps do), because a
 *       follower refuses to vote for T of its own clock after hearing from the leader, and a
 *       restarted replica refuses for T after its first tick. Lease reads stop for the rest of
 *       the term once a leadership transfer was attempted (a TimeoutNow bypasses stickiness).
 *   <li><b>Snapshots from a leader.</b> A follower that receives a snapshot not matching its log
 *       discards its log (§7), in memory and in stable storage (a snapshot whose last entry is
 *       not in the stored log drops the whole stored log); one that matches keeps the entries
 *       after it. So terms never decrease along a recovered log, and recovery refuses to start
 *       on a log where they do (damage or a bug), rather than silently drop entries that may be
 *       committed.
 *   <li><b>Ticks that go backwards</b> are treated as no time passing.
 * </ul>
 */
package io.lockstep.order.raft;
