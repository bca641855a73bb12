/**
 * Order by replica-generated identifiers (paper §3.2.3), registered as {@code replica-uid}, for
 * fail-stop failures with t+1 replicas. Two phases: every replica that sees a request proposes a
 * candidate uid, cuid(i, r) := (max(SEEN, ACCEPT) + 1, i); the uid is the largest candidate
 * received once every replica not known to have failed has proposed one. UID1 (a candidate never exceeds the uid) and UID2 (a
 * request seen after accepting r gets a candidate above uid(r)) make the stability test sound: an
 * accepted request is stable once no request seen but not accepted has a candidate at or below
 * its uid. Client quiescence (O1, O2): a request is processed, and so answered, only once every
 * live replica has accepted it, so a client that waits for its answer before sending again says
 * nothing else until every replica has accepted its request.
 *
 * <p>Two ways to turn candidates into the uid ({@link io.lockstep.order.cuid.UidChoice}): every
 * replica broadcasts its candidate and takes the largest, or (ABCAST) candidates go to the
 * request's coordinator, which broadcasts the largest. Requests declared commuting skip the
 * order rule when they commute with everything they might follow
 * ({@link io.lockstep.order.cuid.CommutingSkip}, paper §3, S12). A restarted replica of either
 * variant rejoins (paper §7.2, {@link io.lockstep.order.cuid.CandidateJoin}).
 */
package io.lockstep.order.cuid;
