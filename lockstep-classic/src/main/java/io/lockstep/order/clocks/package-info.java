/**
 * Order by synchronized real-time clocks (paper §3.2.2), registered as {@code real-time}: a
 * request's uid is its issuer's clock reading (with the issuer's id), and a request is stable by
 * test I (the local clock is past uid + Δ), test II (a larger uid has arrived from every replica
 * not known to have failed) or the combined test (either). The engine is
 * {@link io.lockstep.order.stamped.StampedOrder}; under Byzantine faults it is
 * {@link io.lockstep.order.clocks.ByzantineRealTimeOrder} (dissemination by signed rounds).
 */
package io.lockstep.order.clocks;
