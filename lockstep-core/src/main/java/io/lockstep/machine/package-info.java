/**
 * The state machine programming model (paper §1–2, §5.2, §6): what a user writes.
 *
 * <p>A {@link io.lockstep.machine.StateMachine} holds state variables and executes commands
 * deterministically and atomically. Everything a command may depend on besides its arguments
 * arrives through its {@link io.lockstep.machine.Context}: the agreed time of the request, the
 * caller, a deterministic random stream, and the ability to schedule a future request.
 */
package io.lockstep.machine;
