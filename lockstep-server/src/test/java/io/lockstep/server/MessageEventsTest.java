package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.order.ProtocolMessage;
import org.junit.jupiter.api.Test;

/** Send and receive events are made once per message type, peer and direction, then reused. */
class MessageEventsTest {
  private static final class Append implements ProtocolMessage {}

  private static final class Vote implements ProtocolMessage {}

  @Test
  void theSameSendToTheSamePeerIsTheSameEventObject() {
    MessageEvents events = new MessageEvents();
    Event first = events.send(2, new Append());
    assertThat(events.send(2, new Append())).isSameAs(first);
    assertThat(first).isEqualTo(Event.message(Event.Kind.SEND, 2, Event.NONE, "Append"));
  }

  @Test
  void directionPeerAndTypeEachMakeADifferentEvent() {
    MessageEvents events = new MessageEvents();
    assertThat(events.receive(2, new Append()))
        .isEqualTo(Event.message(Event.Kind.RECEIVE, 2, Event.NONE, "Append"));
    assertThat(events.send(1, new Append()))
        .isEqualTo(Event.message(Event.Kind.SEND, 1, Event.NONE, "Append"));
    assertThat(events.send(2, new Vote()))
        .isEqualTo(Event.message(Event.Kind.SEND, 2, Event.NONE, "Vote"));
  }

  @Test
  void peersBeyondTheFirstArrayAndNegativePeersStillGetTheirOwnEvent() {
    MessageEvents events = new MessageEvents();
    for (int peer = 0; peer < 40; peer++) {
      assertThat(events.receive(peer, new Append()).peer()).isEqualTo(peer);
    }
    assertThat(events.receive(39, new Append())).isSameAs(events.receive(39, new Append()));
    assertThat(events.send(-1, new Vote()).peer()).isEqualTo(-1);
  }
}
