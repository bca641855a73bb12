package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.SnapshotData;
import io.lockstep.replica.LocalRead;
import io.lockstep.request.Request;
import java.util.concurrent.CompletableFuture;

/** What the I/O threads and the timer hand to the loop thread that owns the replica. */
sealed interface LoopEvent {
  /** A decoded message from another replica. */
  record Peer(int from, ProtocolMessage message) implements LoopEvent {}

  /**
   * A client request to propose, with its client's signature over it or null, and its client's
   * authenticator when this replica is to relay it ({@link RequestRelay}), or null.
   */
  record Submit(Request request, byte[] clientSignature,
      io.lockstep.server.wire.Authenticator authenticator, Origin origin) implements LoopEvent {}

  /**
   * A request another replica relayed whose client's tag matched here: the client's own copy,
   * with nobody here waiting for the reply.
   */
  record Relayed(int from, Request request) implements LoopEvent {}

  /** A linearizable read. */
  record Read(ClientId client, byte[] query, Origin origin) implements LoopEvent {}

  /**
   * A read-only request for this replica alone (paper §3, fail-stop relaxation): answered from
   * the applied state without a protocol round.
   */
  record ReadOneReplica(ClientId client, byte[] query, long minPosition,
      CompletableFuture<LocalRead> answer) implements LoopEvent {}

  /** An operator's membership command ({@link MembershipRuntime}). */
  record Member(MembershipRuntime.Ask ask) implements LoopEvent {}

  /** Time advanced. */
  record Tick() implements LoopEvent {}

  /**
   * A group commit became durable: wakes the loop to report it to the protocol (the report
   * itself waits in the loop's latest-persisted slot, so none is lost if the queue is full).
   */
  record Durable() implements LoopEvent {}

  /** The snapshot thread wrote and forced the snapshot the loop handed it. */
  record SnapshotStored(long position, SnapshotData state) implements LoopEvent {}

  /** The checkpoint digester encoded and digested a checkpoint capture the loop handed it. */
  record CheckpointDigested(long position, SnapshotData state) implements LoopEvent {}

  /** Stop the loop after this event. */
  record Stop() implements LoopEvent {}

  /** From the log thread: stored entries the protocol asked for were read back (or not). */
  record EntriesRead(io.lockstep.order.Input.EntriesRead read) implements LoopEvent {}
}
