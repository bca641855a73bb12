package io.lockstep.order;

/**
 * A protocol's signature over one captured checkpoint state, made off the replica's thread
 * (PBFT §4.3: the checkpoint vote signs the sequence number, the state's digest and the agreed
 * time). The protocol hands one out per capture ({@link Coordination#checkpointSeal}) knowing
 * everything the vote names but the digest; the runtime's thread that encodes and digests the
 * capture calls it with the digest and returns the signature with the state
 * ({@link SnapshotData#seal()}). Signing an Ed25519 vote on the loop thread cost more than a
 * digest's worth of the loop per checkpoint under a PBFT load (docs/BENCHMARKS.md).
 *
 * <p>Called on another thread: it must read nothing the protocol's thread changes.
 */
@FunctionalInterface
public interface CheckpointSeal {
  /** The protocol's signature over the checkpoint whose state has digest {@code sha256}. */
  byte[] sign(byte[] sha256);
}
