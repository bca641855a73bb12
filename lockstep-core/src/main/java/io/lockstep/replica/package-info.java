/**
 * Replica glue: one coordination protocol wired to one executor, carrying out every effect that
 * is not I/O (paper §3: agreement + order feed the state machine). Shared by the simulator and
 * the real runtime.
 */
package io.lockstep.replica;
