package io.lockstep.replica;

import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Objects;

/**
 * Builds the journal events of one {@link Replica} (proposals, applies, redirects, snapshots,
 * installs, and the protocol's own) and hands them to the runtime's {@link Journal}. Separate
 * from the replica because what an event says about a step is a matter of presentation, not of
 * the step: the replica only says what happened, and nothing here changes replicated state.
 * Events that need building are built only while the journal is recording.
 */
final class ReplicaJournal {
  private final int id;
  private Journal journal = Journal.OFF;

  ReplicaJournal(int id) {
    this.id = id;
  }

  /** From now on events go to {@code journal}. */
  void use(Journal journal) {
    this.journal = Objects.requireNonNull(journal, "journal");
  }

  /** A client request arrived at this replica. */
  void propose(Request request) {
    if (journal.recording()) {
      journal.record(id, Event.request(Event.Kind.PROPOSE, request.client().toString(),
          request.sequence(), Event.NONE, ""));
    }
  }

  /** The protocol's own events ({@link io.lockstep.order.Coordination#drainEvents}). */
  void protocolEvents(List<Event> events) {
    for (Event event : events) {
      journal.record(id, event);
    }
  }

  /** {@code ordered} was applied and gave {@code replies}; the first one's outcome is shown. */
  void apply(Ordered ordered, List<Reply> replies) {
    if (journal.recording()) {
      Request request = ordered.request();
      journal.record(id, Event.request(Event.Kind.APPLY, request.client().toString(),
          request.sequence(), ordered.position(), replies.isEmpty() ? ""
              : Event.outcome(replies.get(0).status(), replies.get(0).reason())));
    }
  }

  /** A client's request was redirected (to the leader, or refused with a reason). */
  void redirect(Ready.Redirect redirect) {
    journal.record(id, Event.request(Event.Kind.REDIRECT,
        redirect.request().client().toString(), redirect.request().sequence(), Event.NONE,
        redirect.reason()));
  }

  /** The protocol learnt of a snapshot at {@code position}. */
  void snapshot(long position) {
    journal.record(id, Event.position(Event.Kind.SNAPSHOT, position));
  }

  /** A snapshot at {@code index} (another replica's state) was installed. */
  void install(long index) {
    journal.record(id, Event.position(Event.Kind.INSTALL, index));
  }
}
