/**
 * A PBFT-class coordination protocol for Byzantine faults with 3t+1 replicas (Castro and Liskov,
 * OSDI 1999; TOCS 2002; Castro's thesis for the view change without signed prepares): the
 * paper's Agreement + Order (§3) as a deterministic {@link io.lockstep.order.Coordination}.
 *
 * <p>{@link io.lockstep.order.pbft.Pbft} owns the state and dispatches; package-private parts
 * decide: {@code NormalCase} (pre-prepare, prepare, commit, batching, execution, request timer,
 * slow-primary check), {@code Checkpoints} (signed checkpoint votes, stable checkpoints,
 * watermarks, garbage collection), {@code ViewChanges} and {@code NewViewDecision} (view change
 * and new view), {@code StateTransfer}, {@code Retransmit} (status messages and answers to
 * laggards), {@code Quorum} (quorum maths), {@code Signing} (what each signature covers),
 * {@code Pending} (client requests held), {@code Slot}, {@code Outbox} and {@code Invariants}.
 * Membership changes: {@code MembershipSchedule} (which {@code PbftConfiguration} orders each
 * sequence number, read from a stable checkpoint's state), {@code Membership} (a replica's
 * schedule, recomputed at each stable checkpoint), {@code ConfigurationReader} and
 * {@code ReplicaSetRule} (the changes a cluster accepts).
 * docs/ARCHITECTURE.md's PBFT section states the rules and what is signed.
 */
package io.lockstep.order.pbft;
