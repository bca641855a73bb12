package io.lockstep.client;

import io.lockstep.net.FrameConnection;
import io.lockstep.request.Request;
import io.lockstep.server.wire.Authenticator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a Byzantine-mode client ({@link VotingCalls}) hands a request to one replica instead of
 * sending it to all ({@link Transmitter#ONE_REPLICA} and {@link Transmitter#RELAY}, paper
 * §3.1's transmitter): which replica is handed the next request, the MAC authenticator a
 * relayed request carries, and the connections the replicas not handed it answer on. Apart from
 * {@link VotingCalls} because the transmitter is the client's, not a call's: it outlives every
 * call and moves on only when an attempt through it fails or a relaying backup names the
 * primary, while the voting on the answers is the same whichever way a request went out.
 * Thread-safe as far as its own state goes; the {@link VotingCall}s it is given are guarded by
 * their own locks.
 */
final class Handover {
  private final ReplicaBook book;
  /**
   * The slot handed the next signed request ({@link Transmitter#ONE_REPLICA}): it moves on when
   * an attempt through it gets no decision, so a replica that drops what it is handed costs
   * one attempt time-out, not one per request.
   */
  private final AtomicInteger transmitter = new AtomicInteger(-1);

  Handover(ReplicaBook book) {
    this.book = book;
  }

  /**
   * The request's MAC authenticator ({@link Transmitter#RELAY}): a tag for each replica whose
   * connection is open and proved its key, made with that connection's key; null when there is
   * none, and the request then goes to every replica itself. A replica without a tag here takes
   * the relayed request only when the client resends it there.
   */
  Authenticator authenticator(Request request, List<Integer> slots) {
    byte[] covered = Authenticator.covered(request);
    List<Authenticator.Tag> tags = new java.util.ArrayList<>(slots.size());
    for (int slot : slots) {
      // A dial may have failed already (a replica that is down refuses within microseconds):
      // that is no connection, and getNow would throw the failure out of submit.
      FrameConnection connection = book.connection(slot).exceptionally(failed -> null)
          .getNow(null);
      io.lockstep.net.AuthenticatorKey key =
          connection == null || !connection.isOpen() ? null : connection.authenticatorKey();
      if (key != null) {
        tags.add(new Authenticator.Tag(book.replica(slot), key.tag(covered)));
      }
    }
    return tags.isEmpty() ? null : new Authenticator(tags);
  }

  /** The slot to hand the next signed request to: the current one if it is still asked. */
  int transmitterAmong(List<Integer> asked) {
    int current = transmitter.get();
    return asked.contains(current) ? current : asked.get(0);
  }

  /**
   * The slot after {@code from} in {@code asked}'s order (paper §3.1: with at most t faulty
   * replicas, the (t+1)-th in a fixed rotation is correct); it becomes the client's transmitter.
   */
  int nextTransmitter(List<Integer> asked, int from) {
    int next = asked.get((asked.indexOf(from) + 1) % asked.size());
    transmitter.set(next);
    return next;
  }

  /**
   * Makes the slot of replica {@code primary} among {@code asked} the client's transmitter, as
   * the replica at slot {@code namedBy} named it (unless that is {@code namedBy} itself, or none
   * of the slots asked is that replica's). The caller decides whether {@code namedBy} is heeded
   * ({@link VotingCalls}' followPrimary).
   */
  void follow(List<Integer> asked, int namedBy, int primary) {
    for (int slot : asked) {
      if (book.replica(slot) == primary && slot != namedBy) {
        transmitter.set(slot);
        return;
      }
    }
  }

  /**
   * Dials, for a call handed to one replica, the connection to every replica it asked, and
   * returns the relayed call's slots, other than the one it was handed to, whose connection is
   * still opening (caller holds the call's lock).
   */
  List<Integer> openAnswerConnections(VotingCall call) {
    List<Integer> opening = new java.util.ArrayList<>();
    if (call.handedTo >= 0) {
      // The replicas not handed the request answer on the client's own connection to each
      // (ClientPort pushes replies there), so each must be open, though sent nothing.
      for (int slot : call.asked) {
        boolean opened = book.connection(slot).isDone();
        if (call.relayed && slot != call.handedTo && !opened) {
          opening.add(slot);
        }
      }
    }
    return opening;
  }
}
