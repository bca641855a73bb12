package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.server.SessionWindow;
import io.lockstep.voter.Voter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One request or read of a {@link LockstepClient} until it has an outcome: what was asked, the
 * voter that decides its reply, the slot ({@link ReplicaBook}) of its current attempt and why
 * the last attempt did not answer.
 */
final class ClientCall {
  final Request request;
  final ClientId reader;
  final byte[] query;
  final long deadline;
  final Voter voter;
  final CompletableFuture<byte[]> future = new CompletableFuture<>();
  int target;
  int attempts;
  int busyRetries;
  /** The request's session window (null for queries). */
  SessionWindow window;
  /** A read's attempt whose result answered it (its wire tag), for the journal; -1 before. */
  volatile long answeredTag = -1;
  ScheduledFuture<?> attemptTimer;
  volatile String last = "no answer yet";

  ClientCall(Request request, ClientId reader, byte[] query, long deadline, Voter voter) {
    this.request = request;
    this.reader = reader;
    this.query = query;
    this.deadline = deadline;
    this.voter = voter;
  }
}
