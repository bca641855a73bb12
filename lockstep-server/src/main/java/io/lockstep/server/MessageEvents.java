package io.lockstep.server;

import io.lockstep.journal.Event;
import io.lockstep.order.ProtocolMessage;

/**
 * The journal's send and receive events, made once and reused. A send or receive in the server
 * carries no message id (the timeline pairs them in order per link and type), so the event for
 * "an AppendEntries to replica 2" is the same immutable {@link Event} every time: reusing it keeps
 * the two most frequent journal events (several per client write) from allocating anything on the
 * loop thread.
 *
 * <p>Kept per message class in a {@link ClassValue} and per peer in a small array that grows to
 * the largest peer id seen. Two threads that miss together may each make an equal event; either
 * one is correct, because events are immutable and compared by value.
 */
final class MessageEvents {
  private final ClassValue<Event[][]> byType = new ClassValue<>() {
    @Override
    protected Event[][] computeValue(Class<?> type) {
      // [0] sends, [1] receives; each indexed by peer id.
      return new Event[][] {new Event[8], new Event[8]};
    }
  };

  /** The event of sending {@code message} to {@code to}. */
  Event send(int to, ProtocolMessage message) {
    return event(Event.Kind.SEND, 0, to, message);
  }

  /** The event of receiving {@code message} from {@code from}. */
  Event receive(int from, ProtocolMessage message) {
    return event(Event.Kind.RECEIVE, 1, from, message);
  }

  private Event event(Event.Kind kind, int column, int peer, ProtocolMessage message) {
    if (peer < 0) {
      // Not a replica id: nothing to cache it under, so made afresh (never in normal runs).
      return Event.message(kind, peer, Event.NONE, message.getClass().getSimpleName());
    }
    Event[][] kinds = byType.get(message.getClass());
    Event[] byPeer = kinds[column];
    if (peer >= byPeer.length) {
      Event[] grown = new Event[Math.max(peer + 1, byPeer.length * 2)];
      System.arraycopy(byPeer, 0, grown, 0, byPeer.length);
      kinds[column] = grown;
      byPeer = grown;
    }
    Event e = byPeer[peer];
    if (e == null) {
      e = Event.message(kind, peer, Event.NONE, message.getClass().getSimpleName());
      byPeer[peer] = e;
    }
    return e;
  }
}
