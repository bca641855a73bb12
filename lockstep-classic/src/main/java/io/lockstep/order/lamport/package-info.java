/**
 * Order by logical clocks (paper §3.2.1), registered as {@code logical-clock}: uids are Lamport
 * clock values (LC1, LC2) paired with the issuing replica's id, a request is stable once a
 * broadcast with a larger uid has arrived from every replica not known to have failed (FIFO
 * channels and the failure detection assumption make that test sound), and replicas send null
 * requests when idle so the test progresses. Fail-stop, t+1 replicas. The engine is
 * {@link io.lockstep.order.stamped.StampedOrder}.
 */
package io.lockstep.order.lamport;
