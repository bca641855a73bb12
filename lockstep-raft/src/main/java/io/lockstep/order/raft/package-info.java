/**
 * A Raft-class coordination protocol for crash faults with 2t+1 replicas (S11): the paper's
 * Agreement + Order (§3) as a deterministic {@link io.lockstep.order.Coordination}.
 *
 * <p>{@link io.lockstep.order.raft.Raft} is a thin coordinator owning the state and the dispatch;
 * package-private parts compute the decisions:
 * <ul>
 *   <li>receiving: {@code Inbound} (shape check, messages outside the term rules, term rules),
 *       {@code MessageCheck} (validation of untrusted messages), {@code Dispatch} (a valid
 *       message to the part that handles it);
 *   <li>leadership: {@code Election} (timers, pre-vote, votes), {@code TickClock} (the
 *       replica's time, made of ticks, and the leader-stickiness lease), {@code Admission}
 *       (whether a request or read is taken now, within the uncommitted byte budget);
 *   <li>the leader's side: {@code Replication} and {@code Progress} (flow control, commit rule,
 *       check-quorum, transfer), {@code AgreedTime} (the time stamp a quorum of clocks
 *       bounds), {@code LogReads} (entries read back from disk for a follower),
 *       {@code SnapshotTransfers}, {@code SnapshotChunks} and {@code HeldSnapshot}
 *       (InstallSnapshot in chunks, or from a replica the leader names);
 *   <li>the follower's side: {@code Follower} (consistency check, InstallSnapshot),
 *       {@code SnapshotFetch} (a snapshot fetched from a replica the leader names);
 *   <li>the log: {@code RaftLog} (the in-memory log after a snapshot), {@code EntryFacts}
 *       (every entry's term, time and size, payload held or not), {@code Commitment} (commit
 *       and applied indexes, the one place that moves them), {@code SnapshotTaken} (compaction
 *       after the executor's snapshot);
 *   <li>membership: {@code Membership} (the configurations in the log), {@code ConfigChange}
 *       (single-server changes), {@code ConfigEntry} (a configuration as a log entry),
 *       {@code RemovalNotice} (telling a removed replica so);
 *   <li>durable state and recovery: {@code TermAndVote} (the hard state and its encoding),
 *       {@code Recovery}, {@code Repair} (protocol-aware recovery of damaged storage),
 *       {@code WipeCheck} and {@code Incarnations} (a wiped data directory detected);
 *   <li>{@code ReadIndex} (linearizable reads and leases), {@code Quorum} (majority maths),
 *       {@code Outbox} (the effects of a Ready), {@code RaftEvents} (the journal's view of a
 *       step) and {@code Invariants}.
 * </ul>
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
 *   <li><b>Two clocks.</b> {@link io.lockstep.order.Input.Tick} carries a monotonic reading,
 *       which drives every timer (elections, heartbeats, check-quorum, leases, transfers), and
 *       a wall clock reading, which only feeds agreed time. A wall clock that jumps or is wrong
 *       by hours therefore moves no timer.
 *   <li><b>Agreed time</b> (paper §3.2; {@code AgreedTime}, {@link Quorum}). Followers report
 *       their wall clock (as of their latest tick) in every AppendEntriesResponse and
 *       HeartbeatResponse, and voters in every RequestVoteResponse, so a candidate that wins
 *       holds t + 1 readings (its own and its voters') from the moment it is elected. The
 *       leader keeps the latest report per follower, ages it by its own
 *       monotonic clock since receipt (its first tick after the report arrived, so the age is
 *       never overestimated), ignores reports older than the election timeout T, and
 *       stamps each entry with the (k − t)-th smallest of the k readings it has (its own and
 *       the fresh aged reports; t = ⌊(n − 1)/2⌋), the median when all 2t + 1 are there, never
 *       below the time of its last entry. With fewer than t + 1 readings (votes that carried
 *       no clock, from a replica that had not ticked) it stamps its last entry's time again:
 *       time stands still for a round trip rather than leap to one clock. So time never decreases along the log, across
 *       leader changes too, and with at most t wrong wall clocks (the leader's own included),
 *       where ρ bounds every clock's rate error and δ the time from a follower's tick to the
 *       leader's first tick after its answer arrived (the follower's tick period, its fsync,
 *       network delay, queues and the leader's tick period), a stamp made at real time τ is
 *       <ul>
 *         <li><em>never above</em> the highest reading of a correct wall clock at τ plus 2ρT,
 *             unless it repeats an earlier stamp. A clock fast by any amount cannot raise it,
 *             since t + 1 readings lie at or above the stamp and at most t are wrong.
 *             (A correct clock stepped back within the last T + δ may still be quoted at its
 *             earlier setting, aged forward.)
 *         <li><em>never below</em> the lowest reading of a correct wall clock at τ minus
 *             δ(1 + ρ) + 2ρT, provided wrong clocks and replicas without a fresh report number
 *             at most t together. When more are missing (replicas down or cut off) a slow
 *             wrong clock can hold time back;
 *             time then stands still (it never decreases), and it is the upper bound that keeps
 *             time-outs and leases from expiring early.
 *       </ul>
 *       A follower adopts the leader's stamps as they are: in the crash model the leader is
 *       not malicious, only its clock may be wrong. The simulator checks both bounds as an
 *       invariant with up to t clocks an hour wrong. {@code Raft.Bug.TIME_FROM_LEADER_CLOCK}
 *       is the old rule (the leader's own clock) that its negative test catches.
 *   <li><b>Lease reads and clocks.</b> With {@code leaseReads}, a leader serves reads without a
 *       heartbeat round until {@code sentAt + T·(1 − maxClockDrift)}, where {@code sentAt} is the
 *       leader's monotonic clock when it sent the latest heartbeat round a majority
 *       acknowledged. This is safe only if every replica's monotonic clock rate differs from
 *       real time by at most {@code maxClockDrift} (bounded drift; the wall clock plays no
 *       part), because a follower refuses to vote for T of its own monotonic clock after
 *       hearing from the leader, and a restarted replica refuses for T after its first tick.
 *       Lease reads stop for the rest of the term once a leadership transfer was attempted (a
 *       TimeoutNow bypasses stickiness).
 *   <li><b>Snapshots from a leader.</b> A follower that receives a snapshot not matching its log
 *       discards its log (§7), in memory and in stable storage (a snapshot whose last entry is
 *       not in the stored log drops the whole stored log); one that matches keeps the entries
 *       after it. So terms never decrease along a recovered log, and recovery refuses to start
 *       on a log where they do (damage or a bug), rather than silently drop entries that may be
 *       committed. The chunks may come from another replica than the leader: the leader names
 *       a voter that reported (in its heartbeat answers) holding the leader's snapshot or a
 *       newer one, and that snapshot's checksum; the follower checks each chunk (the named
 *       source, the named snapshot, its CRC32C) and the whole snapshot against the named
 *       checksum, and falls back to the leader's own chunks on any mismatch or an election
 *       timeout of silence ({@code SnapshotFetch}). The leader's own chunks carry the whole
 *       checksum too, and are checked alike: a snapshot that does not match it is dropped
 *       when complete and received again from the start. The leader and a source send the
 *       snapshot a transfer began with to its end, holding its bytes ({@code HeldSnapshot}),
 *       even when newer snapshots are taken meanwhile; the leader keeps the log after it.
 *   <li><b>Ticks that go backwards</b> on the monotonic clock are treated as no time passing;
 *       wall clock readings are kept as read, backwards too (each is one sample of a quorum).
 * </ul>
 */
package io.lockstep.order.raft;
