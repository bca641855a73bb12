/**
 * The executor (paper §3.2, §5, §6): applies the stable requests a coordination protocol
 * delivers, in identifier order, to the user's state machine, with per-client FIFO order,
 * exactly-once sessions, time-outs, default requests, authorization and replicated-client
 * matching. Shared by every coordination protocol.
 */
package io.lockstep.executor;
