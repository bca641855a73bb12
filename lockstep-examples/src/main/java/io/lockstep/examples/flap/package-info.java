/**
 * Output devices outside the system (paper §4, S15), after the paper's flap: a replicated flap
 * controller whose outputs drive replicated actuators, each with its own voter, and the flap
 * surface that takes the last vote among the actuators.
 */
package io.lockstep.examples.flap;
