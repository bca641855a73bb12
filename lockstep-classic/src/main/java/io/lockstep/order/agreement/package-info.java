/**
 * Agreement (paper §3.1): every nonfaulty replica receives every request. A transmitter
 * broadcasts a value so that IC1 (all nonfaulty processors agree on the same value) and IC2 (if
 * the transmitter is nonfaulty, that value is the transmitter's) hold.
 *
 * <ul>
 *   <li>{@link io.lockstep.order.agreement.ReliableBroadcast}: fail-stop. Each origin's messages
 *       are delivered in the order it sent them; receivers acknowledge, the origin retransmits
 *       until acknowledged, and once the origin is detected failed every receiver relays what
 *       it holds of it, so a message that reached one correct replica reaches all (IC1).</li>
 *   <li>{@link io.lockstep.order.agreement.DolevStrong}: Byzantine, authenticated agreement in
 *       t+1 synchronous rounds (a value is accepted in round k only with k valid distinct
 *       signatures, the transmitter's first; more than one accepted value gives a fixed
 *       default).</li>
 *   <li>{@link io.lockstep.order.agreement.TransmitterCheck}: the second transmitter mode, where
 *       one replica disseminates for a client that listens to the broadcast and resends through
 *       another replica when its request was lost or altered.</li>
 *   <li>{@link io.lockstep.order.agreement.SignedRounds}: Dolev–Strong instances in lockstep
 *       rounds of the synchronized clocks, one per transmitter per round, carried by
 *       {@link io.lockstep.order.agreement.RoundMessage}s; the Byzantine classic orders'
 *       dissemination.</li>
 *   <li>{@link io.lockstep.order.agreement.ClientCopies}: a request disseminated that way is
 *       taken as its client's own only once t+1 transmitters carried it.</li>
 * </ul>
 *
 * <p>Everything here is deterministic and does no I/O: rounds and failure notices are inputs.
 */
package io.lockstep.order.agreement;
