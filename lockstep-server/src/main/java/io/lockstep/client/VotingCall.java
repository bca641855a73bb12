package io.lockstep.client;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.voter.Voter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/**
 * One request or read of a Byzantine-mode client ({@link VotingCalls}) until it has an outcome:
 * what is sent, the replicas asked and those that answered, and the votes so far (the
 * {@link Voter} of a request's replies, the {@link ReadTally} of a read's answers). Its own
 * class, apart from the fail-stop {@link ClientCall}, because it is asked of every replica at
 * once and decided by their votes, not by one replica's answer. Guarded by itself: answers
 * arrive on the client's I/O thread, resends on its timer thread.
 */
final class VotingCall {
  final long tag;
  /** What is sent: the handed form first (signed or authenticated), the plain one on resends. */
  volatile byte[] payload;
  /** Whether the request went out with an authenticator (relay mode): resends go plain. */
  boolean relayed;
  final Request request;
  /** A read's reader (null for a request): its attempts and answers are journaled by tag. */
  ClientId reader;
  final Voter voter;
  /** A read's answers at the replicas' applied states, and the replicas that declined it. */
  final ReadTally reads = new ReadTally();
  /** The slots asked (those in the rotation at the start, and any added at a resend). */
  final List<Integer> asked = new java.util.ArrayList<>();
  /** The slots that answered (a vote, a read answer or a declined read). */
  final java.util.Set<Integer> answered = new java.util.HashSet<>();
  final CompletableFuture<byte[]> future;
  Supplier<CompletableFuture<byte[]>> orderedFallback;
  ScheduledFuture<?> resend;
  ScheduledFuture<?> expiry;
  /** The slot this signed request was last handed to; -1 when sent to every replica. */
  int handedTo = -1;

  VotingCall(long tag, byte[] payload, Request request, Voter voter, List<Integer> slots,
      CompletableFuture<byte[]> future) {
    this.tag = tag;
    this.payload = payload;
    this.request = request;
    this.voter = voter;
    this.asked.addAll(slots);
    this.future = future;
  }

  /** The request without authenticator or signature: what every replica may be sent. */
  byte[] plain() {
    return ClientCodec.encode(new ClientMessage.Submit(tag, request, true));
  }
}
