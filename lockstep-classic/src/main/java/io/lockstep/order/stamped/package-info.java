/**
 * The order rule of paper §3.2 over client-stamped identifiers, shared by the logical-clock
 * scheme (§3.2.1, {@code io.lockstep.order.lamport}) and the synchronized real-time-clock scheme
 * (§3.2.2, {@code io.lockstep.order.clocks}): every request gets a unique identifier (uid) when
 * it is issued, and a replica next processes the <em>stable</em> request with the smallest uid.
 *
 * <p>Who the "client" of the paper is here: Lockstep's clients hand a request to one replica,
 * which issues it into the ordering on the client's behalf (the second transmitter mode of §3.1:
 * the client listens for the reply and resends through another replica when none comes). So
 * each replica is a client process of the ordering: it stamps the uids, sends the periodic null
 * requests and is the origin whose FIFO channel and failure the stability test reasons about.
 *
 * <p>Pieces: {@link io.lockstep.order.stamped.StampedOrder} (the coordinator: dispatch, the
 * pending requests and the order rule), {@link io.lockstep.order.stamped.UidScheme} (how a
 * scheme stamps uids and which stability tests it uses), {@link
 * io.lockstep.order.stamped.FailureDetector} (timeouts on a bounded-delay network),
 * {@link io.lockstep.order.stamped.Stability} (the tests themselves) and the wire form
 * {@link io.lockstep.order.stamped.StampedCodec}. Agreement underneath is the fail-stop
 * {@link io.lockstep.order.agreement.ReliableBroadcast}. A replica suspected of having failed
 * while it runs halts ({@link io.lockstep.order.stamped.FalseSuspicion}) and rejoins in process
 * ({@link io.lockstep.order.stamped.HaltThenRejoin}); replica-uid shares both.
 */
package io.lockstep.order.stamped;
