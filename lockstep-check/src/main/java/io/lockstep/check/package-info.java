/**
 * Client histories and their linearizability checker (X7): what a client of the replicated
 * service saw, recorded as {@link io.lockstep.check.Op} events in a
 * {@link io.lockstep.check.History} (readable and writable as JSON lines), and
 * {@link io.lockstep.check.LinearizabilityChecker}, which decides whether some single register per
 * key could have produced it. Depends on nothing else in Lockstep, so that users can check
 * histories recorded anywhere.
 */
package io.lockstep.check;
