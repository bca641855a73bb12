/**
 * The wire form of the PBFT-class protocol's messages ({@link
 * io.lockstep.order.pbft.wire.PbftCodec}).
 */
package io.lockstep.order.pbft.wire;
