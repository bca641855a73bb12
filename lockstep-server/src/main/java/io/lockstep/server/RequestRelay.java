package io.lockstep.server;

import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.server.wire.Authenticator;
import io.lockstep.server.wire.PeerEnvelope;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.CodecException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests a client hands to one replica with its MAC authenticator (PBFT's clients, Castro and
 * Liskov §3), relayed by that replica to the others, so that a client sends each request once
 * instead of to every replica, and every replica still holds it as its client's own copy, which
 * is what a PBFT backup needs before it prepares a batch.
 *
 * <p>Relaying ({@link #hold}, {@link #attach}, {@link #flush}; the loop thread): the requests a
 * loop turn took with an authenticator go to each replica the authenticator names, each with
 * the client's tag for that replica, in the frame of the turn's first protocol message to that
 * replica ({@link PeerEnvelope}'s kind 5), or alone at the end of the turn when it sends that
 * replica nothing. The receiver takes them before the message they ride with, so a backup holds
 * them when the pre-prepare that orders them (usually that very message) is stepped.
 *
 * <p>Receiving ({@link #received}; the peer port's I/O thread): a relayed request is taken only
 * if its tag matches one made with the key of a connection on which its client proved its own
 * key to this replica ({@link Tags}); only the client and this replica know that key, so the
 * relaying replica cannot make a request up or alter one. It is then stepped as the client's
 * copy with nobody waiting for the reply here: the reply goes to the client's own connections
 * ({@link ClientPort#pushReply}). Anything else (a tag that does not match, an undecodable
 * request, a system command, a client that is not connected here) is dropped, counted and
 * logged (at most once a second, with the count): the client resends to every replica that has
 * not answered, so a faulty relayer or client costs time, never a request.
 */
final class RequestRelay {
  private static final System.Logger LOG = System.getLogger(ReplicaServer.class.getName());
  private static final long WARN_EVERY_NANOS = 1_000_000_000L;

  /** Checks a client's tag against the keys of its connections to this replica. */
  interface Tags {
    boolean authenticates(ClientId sender, byte[] bytes, byte[] tag);
  }

  /** Where checked requests go: the loop, as a copy from their client. */
  interface Intake {
    boolean offerRelayed(int from, Request request);
  }

  private final int self;
  private final ServerMetrics metrics;
  /** The loop thread's requests to relay this turn, by replica. */
  private final Map<Integer, List<PeerEnvelope.RelayedRequest>> outgoing = new TreeMap<>();
  private volatile Tags tags;
  private final AtomicLong refusedSinceWarning = new AtomicLong();
  private volatile long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

  RequestRelay(int self, ServerMetrics metrics) {
    this.self = self;
    this.metrics = metrics;
  }

  /** Sets the check of clients' tags (the client port's); until then every relay is refused. */
  void checkTagsWith(Tags check) {
    this.tags = check;
  }

  /** Holds {@code request} to relay to every other replica {@code authenticator} names. */
  void hold(Request request, Authenticator authenticator) {
    byte[] bytes = Authenticator.covered(request);
    for (Authenticator.Tag t : authenticator.tags()) {
      if (t.replica() != self) {
        outgoing.computeIfAbsent(t.replica(), r -> new ArrayList<>())
            .add(new PeerEnvelope.RelayedRequest(bytes, t.tag()));
      }
    }
  }

  /**
   * {@code payload} for replica {@code to}, carrying first the requests held for it this turn
   * (which are then no longer held), if any.
   */
  byte[] attach(int to, byte[] payload) {
    List<PeerEnvelope.RelayedRequest> held = outgoing.isEmpty() ? null : outgoing.remove(to);
    if (held == null) {
      return payload;
    }
    held.forEach(r -> metrics.relayed("sent"));
    return PeerEnvelope.relayed(held, payload);
  }

  /** Sends what this turn held and attached to nothing, one payload per replica. */
  void flush(ReplicaLoop.PeerSender peers) {
    if (outgoing.isEmpty()) {
      return;
    }
    for (Map.Entry<Integer, List<PeerEnvelope.RelayedRequest>> e : outgoing.entrySet()) {
      try {
        if (peers.send(e.getKey(), PeerEnvelope.relayed(e.getValue()), false)) {
          e.getValue().forEach(r -> metrics.relayed("sent"));
        } else {
          metrics.peerDropped("relay: send queue full or peer down");
        }
      } catch (IllegalArgumentException unknownOrTooLarge) {
        // A client named a replica that is not a peer, or too much for one frame: the
        // replicas not reached are asked by the client itself when it resends.
        metrics.peerDropped("relay: " + unknownOrTooLarge.getMessage());
      }
    }
    outgoing.clear();
  }

  /** Relayed requests from replica {@code from}: each is checked, then taken or dropped. */
  void received(int from, PeerEnvelope.Payload.Relayed relayed, Intake loop) {
    // The payload riding with them (relayed.then()) is the caller's to handle, after these.
    Tags check = tags;
    for (PeerEnvelope.RelayedRequest r : relayed.requests()) {
      String refusal = check == null ? "the client port is not open yet" : null;
      Request request = null;
      if (refusal == null) {
        try {
          BinaryReader in = new BinaryReader(r.request());
          request = in.readRequest("relayed request");
          in.expectEnd("relayed request");
        } catch (CodecException e) {
          refusal = "undecodable: " + e.getMessage();
        }
      }
      if (refusal == null) {
        refusal = refusal(request, r, check);
      }
      if (refusal != null) {
        refused(from, refusal);
      } else if (loop.offerRelayed(from, request)) {
        metrics.relayed("taken");
      } else {
        refused(from, "the loop queue is full");
      }
    }
  }

  private static String refusal(Request request, PeerEnvelope.RelayedRequest r, Tags check) {
    ClientId sender = request.copyFrom() != null ? request.copyFrom() : request.client();
    if (SystemCommands.isAdmin(request.client()) || SystemCommands.isAdmin(sender)) {
      return "a system command is never relayed";
    }
    if (!check.authenticates(sender, r.request(), r.tag())) {
      return "the tag of " + request.client() + "#" + request.sequence() + " does not match"
          + " any connection of its client to this replica";
    }
    return null;
  }

  private void refused(int from, String reason) {
    metrics.relayed("refused");
    long refused = refusedSinceWarning.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastWarning >= WARN_EVERY_NANOS) {
      lastWarning = now;
      refusedSinceWarning.set(0);
      LOG.log(Level.WARNING, "event=relayed_request_refused from=" + from + " refused=" + refused
          + " reason=\"" + reason + "\"");
    }
  }
}
