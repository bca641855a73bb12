package io.lockstep.timeline;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs each message's send with its receive (or drop) into an arrow. The simulator gives both
 * ends the same message id; a real cluster's replicas cannot, so there the k-th send from A to B
 * of a type is paired with the k-th receive (or in-transit drop) of that type at B from A, which
 * is exact over one TCP connection unless an event was lost from a journal ring or a connection
 * dropped messages unseen (then the pairing of that link may be off; the sim's never is).
 *
 * <p>A real client that keeps its own journal adds arrows between its lane and the replicas':
 * each attempt to the replica that then proposed or redirected the request, each reply from the
 * replica that sent it; an attempt no replica saw stops short, as an unreceived message does.
 */
final class Arrows {
  /** An arrow: flag 0 delivered, 1 dropped on the way, 2 no receive in the journal. */
  record Arrow(long t0, int from, long t1, int to, String type, int flag) {}

  private final List<Arrow> arrows = new ArrayList<>();
  private final Map<Long, Stamped> sendById = new HashMap<>();
  private final Map<String, ArrayDeque<Stamped>> unpaired = new HashMap<>();
  private final List<Stamped> lost = new ArrayList<>();
  /** A client's attempts by request and replica ("c#5>2"), waiting for that replica to see it. */
  private final Map<String, ArrayDeque<Stamped>> attempts = new HashMap<>();
  /** Replicas' replies by request and replica ("c#5<2"), waiting for the client's receive. */
  private final Map<String, ArrayDeque<Stamped>> replies = new HashMap<>();
  /**
   * The other end, seen first: a proposal before the client's attempt, a client's receive
   * before the reply. Journals of different processes are stamped by different clocks, so the
   * merged order may put an arrow's end a little before its start; such an arrow is drawn as
   * recorded, pointing back.
   */
  private final Map<String, ArrayDeque<Stamped>> early = new HashMap<>();
  private final Lanes lanes;

  Arrows(Lanes lanes) {
    this.lanes = lanes;
  }

  /** Takes a message event; returns false if {@code e} is not one (it is then a mark). */
  boolean take(Stamped e) {
    Event v = e.event();
    if (e.replica() < 0) {
      return clientMessage(e);
    }
    switch (v.kind()) {
      case SEND -> send(e);
      case RECEIVE -> arrive(e, 0);
      case PROPOSE, REDIRECT -> {
        reachedReplica(e);
        return false; // also a mark
      }
      case REPLY -> {
        replyLeft(e);
        return false; // also a mark
      }
      case UNSENT -> unsent(e);
      case RESTART -> {
        restarted(e.replica());
        return false; // also a mark
      }
      case DROP -> {
        if (v.peer() < 0) {
          return false;
        }
        if (v.message() >= 0 && sendById.containsKey(v.message())
            && sendById.get(v.message()).replica() == e.replica()) {
          Stamped s = sendById.get(v.message());
          arrows.add(new Arrow(s.nanos(), lanes.of(s), e.nanos(), lanes.replica(v.peer()),
              s.event().detail(), 1));
          return true;
        }
        arrive(e, 1);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * A client's own journal: an attempt to replica N ({@code SEND}) becomes an arrow to where N
   * proposed or redirected that request; a reply received from N ({@code RECEIVE}) an arrow from
   * where N sent it. A read pairs the same way by its client and attempt tag
   * ({@link Bars#request}).
   */
  private boolean clientMessage(Stamped e) {
    Event v = e.event();
    String request = Bars.request(e);
    if (request == null || request.endsWith("@read")) {
      return false;
    }
    if (v.kind() == Event.Kind.SEND) {
      String key = request + ">" + v.peer();
      Stamped arrived = poll(early, key);
      if (arrived != null) {
        attemptArrow(e, arrived);
      } else {
        pending(attempts, key).add(e);
      }
      return true;
    }
    if (v.kind() != Event.Kind.RECEIVE) {
      return false;
    }
    String key = request + "<" + v.peer();
    Stamped reply = poll(replies, key);
    if (reply == null) {
      // Not yet: the client's clock may run a little ahead of the replica's. Still a mark.
      pending(early, key).add(e);
      return false;
    }
    replyArrow(reply, e);
    return true;
  }

  /** Replica {@code e.replica()} saw a client's request: the end of that client's attempt. */
  private void reachedReplica(Stamped e) {
    String key = Bars.request(e) + ">" + e.replica();
    Stamped attempt = poll(attempts, key);
    if (attempt != null) {
      attemptArrow(attempt, e);
    } else {
      pending(early, key).add(e); // the client's journal may stamp its attempt a little later
    }
  }

  private void replyLeft(Stamped e) {
    String key = Bars.request(e) + "<" + e.replica();
    Stamped received = poll(early, key);
    if (received != null) {
      replyArrow(e, received);
    } else {
      pending(replies, key).add(e);
    }
  }

  private void attemptArrow(Stamped attempt, Stamped arrived) {
    arrows.add(new Arrow(attempt.nanos(), lanes.of(attempt), arrived.nanos(), lanes.of(arrived),
        attempt.event().detail(), 0));
  }

  private void replyArrow(Stamped reply, Stamped received) {
    arrows.add(new Arrow(reply.nanos(), lanes.of(reply), received.nanos(), lanes.of(received),
        "Reply", 0));
  }

  private static ArrayDeque<Stamped> pending(Map<String, ArrayDeque<Stamped>> map, String key) {
    return map.computeIfAbsent(key, k -> new ArrayDeque<>());
  }

  private static Stamped poll(Map<String, ArrayDeque<Stamped>> map, String key) {
    ArrayDeque<Stamped> queue = map.get(key);
    return queue == null ? null : queue.poll();
  }

  private void send(Stamped e) {
    Event v = e.event();
    if (v.message() >= 0) {
      sendById.put(v.message(), e);
    } else {
      unpaired.computeIfAbsent(link(e.replica(), v.peer(), v.detail()), k -> new ArrayDeque<>())
          .add(e);
    }
  }

  /** A receive at {@code e.replica()} from its peer, or a drop there (flag 1). */
  private void arrive(Stamped e, int flag) {
    Event v = e.event();
    Stamped s = v.message() >= 0 ? sendById.get(v.message()) : poll(v.peer(), e.replica(),
        typeOf(v.detail()));
    if (s == null) {
      return; // its send is outside the journal (before --since, or lost from a full ring)
    }
    arrows.add(new Arrow(s.nanos(), lanes.of(s), e.nanos(), lanes.of(e), s.event().detail(),
        flag));
  }

  /** The sender's own note that its last such send never left: an arrow that stops there. */
  private void unsent(Stamped e) {
    Event v = e.event();
    Stamped s = poll(e.replica(), v.peer(), typeOf(v.detail()));
    if (s != null) {
      arrows.add(new Arrow(s.nanos(), lanes.of(s), e.nanos(), lanes.of(s), s.event().detail(),
          1));
    }
  }

  /**
   * A replica restarted: what was sent to it before can no longer arrive (its connections were
   * new), so those sends stay unpaired rather than shift the pairing of every later message.
   */
  private void restarted(int replica) {
    for (Map.Entry<String, ArrayDeque<Stamped>> link : unpaired.entrySet()) {
      if (link.getKey().startsWith(">" + replica + " ", link.getKey().indexOf('>'))) {
        lost.addAll(link.getValue());
        link.getValue().clear();
      }
    }
  }

  private Stamped poll(int from, int to, String type) {
    ArrayDeque<Stamped> queue = unpaired.get(link(from, to, type));
    return queue == null ? null : queue.poll();
  }

  /** Sends never received, as arrows that stop short; then every arrow, by send time. */
  List<Arrow> finish() {
    for (ArrayDeque<Stamped> queue : unpaired.values()) {
      lost.addAll(queue);
    }
    for (ArrayDeque<Stamped> queue : attempts.values()) {
      lost.addAll(queue);
    }
    for (Stamped s : lost) {
      arrows.add(new Arrow(s.nanos(), lanes.of(s), s.nanos(), lanes.replica(s.event().peer()),
          s.event().detail(), 2));
    }
    arrows.sort((a, b) -> Long.compare(a.t0(), b.t0()));
    return arrows;
  }

  private static String link(int from, int to, String type) {
    return from + ">" + to + " " + type;
  }

  /** A drop's detail starts with the message type ("AppendEntries: queue full"). */
  private static String typeOf(String detail) {
    int colon = detail.indexOf(':');
    return colon < 0 ? detail : detail.substring(0, colon);
  }
}
