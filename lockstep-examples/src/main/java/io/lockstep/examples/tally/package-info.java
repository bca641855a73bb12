/**
 * The paper's {@code tally} (§3 relaxation, S12): an election whose votes commute, so they need
 * no Order.
 */
package io.lockstep.examples.tally;
