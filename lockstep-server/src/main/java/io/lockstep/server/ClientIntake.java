package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.concurrent.CompletableFuture;

/**
 * Where the client edges (the Redis bridge, the client port) hand questions to the replica: the
 * loop's bounded queue ({@link ReplicaLoop}). Every question is answered once through its
 * {@link Origin}, possibly with "busy" at once when the queue or its byte budget is full.
 */
interface ClientIntake {
  /** Enqueues a request to order; answers "busy" at once if there is no room. */
  void offerSubmit(Request request, Origin origin);

  /**
   * Enqueues a request with its client's own signature over it (null: unsigned), which the
   * order needs to take the request from this replica alone (paper §3.1). An intake that cannot
   * carry the signature refuses a signed request rather than drop the signature, because the
   * request would then wait for carriers that never come.
   */
  default void offerSubmit(Request request, byte[] clientSignature, Origin origin) {
    if (clientSignature == null) {
      offerSubmit(request, origin);
      return;
    }
    origin.replied(new Reply(request.client(), request.sequence(), Reply.Status.REJECTED,
        new byte[0], "this replica's intake takes no client-signed requests; send it unsigned"
        + " to every replica", 0, 0));
  }

  /**
   * Enqueues a request its client handed to this replica alone, with its MAC authenticator, to
   * relay to the other replicas ({@link RequestRelay}). An intake that relays nothing takes it
   * as an ordinary request: the other replicas then get it when the client resends to them.
   */
  default void offerToRelay(Request request, io.lockstep.server.wire.Authenticator authenticator,
      Origin origin) {
    offerSubmit(request, origin);
  }

  /** Enqueues a linearizable read; answers "busy" at once if there is no room. */
  void offerRead(ClientId client, byte[] query, Origin origin);

  /**
   * Enqueues a read for this replica alone (paper §3 relaxation, fail-stop only): see {@link
   * io.lockstep.replica.Replica#readLocal}. The future fails with {@link
   * java.util.concurrent.RejectedExecutionException} when there is no room.
   */
  default CompletableFuture<LocalRead> offerReadOneReplica(ClientId client, byte[] query,
      long minPosition) {
    return CompletableFuture.failedFuture(new java.util.concurrent.RejectedExecutionException(
        "this replica serves no reads from one replica"));
  }

  /**
   * Enqueues an operator's membership command; answers it at once if there is no room, or if
   * this replica runs no membership changes.
   */
  default void offerMember(MembershipRuntime.Ask ask) {
    ask.origin().answered(false, "this replica takes no membership commands");
  }

  /** The replica's progress as last published. */
  StatusView status();
}
