/**
 * The seam between coordination protocols and the executor (paper §3).
 *
 * <p>Every coordination protocol — Raft-class, PBFT-class, and the paper's logical-clock,
 * real-time-clock and replica-generated-identifier schemes — is a deterministic
 * {@link io.lockstep.order.Coordination}: {@link io.lockstep.order.Input}s go in, a
 * {@link io.lockstep.order.Ready} of effects comes out. Among the effects is the sequence of
 * <em>stable</em> requests in identifier order ({@link io.lockstep.order.Ordered}), which is all
 * the executor needs. Protocol cores do no I/O: the runtime (real or simulated) persists, sends
 * and applies what the Ready says.
 */
package io.lockstep.order;
