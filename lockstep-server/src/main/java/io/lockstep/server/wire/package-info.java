/**
 * The wire formats of the replica server: Raft messages between replicas ({@link
 * io.lockstep.server.wire.PeerCodec}) and the client protocol ({@link
 * io.lockstep.server.wire.ClientCodec}), carried as payloads of lockstep-net's checksummed,
 * authenticated frames.
 */
package io.lockstep.server.wire;
