/**
 * The replica server's client protocol ({@link io.lockstep.server.wire.ClientCodec}), carried
 * as payloads of lockstep-net's checksummed, authenticated frames. Payloads between replicas
 * start with {@link io.lockstep.server.wire.PeerEnvelope}'s channel byte: the coordination
 * protocol's messages in its own codec ({@link io.lockstep.order.ProtocolCodec}), or the
 * runtime's own (checkpoint digests).
 */
package io.lockstep.server.wire;
