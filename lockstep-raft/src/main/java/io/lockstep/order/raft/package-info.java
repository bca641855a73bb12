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
 */
package io.lockstep.order.raft;
