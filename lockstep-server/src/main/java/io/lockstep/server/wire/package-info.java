/**
 * The replica server's client protocol ({@link io.lockstep.server.wire.ClientCodec}), carried
 * as payloads of lockstep-net's checksummed, authenticated frames. Messages between replicas are
 * the coordination protocol's own, in its own codec ({@link io.lockstep.order.ProtocolCodec}).
 */
package io.lockstep.server.wire;
