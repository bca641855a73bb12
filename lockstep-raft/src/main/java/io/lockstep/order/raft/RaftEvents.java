package io.lockstep.order.raft;

import io.lockstep.journal.Event;
import io.lockstep.order.Input;
import io.lockstep.order.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's view of Raft: compares the state that matters to a reader (term, vote, role,
 * leader, commit index, drops) before and after each step and describes what changed as
 * {@link Event}s, so the rest of Raft needs no journal calls. A step that changes the term and
 * the leader at once (a follower hearing a new leader's first AppendEntries) reads as one
 * "leader" event, which is what happened from this replica's point of view.
 */
final class RaftEvents {
  /**
   * Bound on events waiting to be drained: the replica glue drains after every step, but a
   * runtime that never asks must not make Raft grow without bound. Past it the newest are
   * dropped; {@code missed} says how many.
   */
  private static final int MAX_PENDING = 4096;

  private final List<Event> pending = new ArrayList<>();
  private long term;
  private int votedFor;
  private Role role;
  private int leader;
  private long commitIndex;
  private long dropped;
  private long missed;

  /** Remembers the state before a step. */
  void before(Raft raft) {
    term = raft.term();
    votedFor = raft.votedFor();
    role = raft.role();
    leader = raft.leader();
    commitIndex = raft.commitIndex();
    dropped = raft.dropped();
  }

  /** Describes what the step with {@code input} changed. */
  void after(Raft raft, Input input) {
    if (raft.dropped() > dropped) {
      // No peer: the message was received (its arrow ends there); the protocol rejected it.
      String what = input instanceof Input.Receive r ? r.message().getClass().getSimpleName()
          + " from " + r.from() + ": " : "";
      add(Event.message(Event.Kind.DROP, Event.NONE, Event.NONE, what + raft.lastDropReason()));
    }
    if (raft.term() > term && raft.role() == Role.CANDIDATE) {
      add(Event.protocol(Event.Kind.ELECTION, raft.self(), raft.term(), "candidate"));
    } else if (raft.leader() >= 0 && (raft.leader() != leader || raft.term() != term)) {
      add(Event.protocol(Event.Kind.LEADER, raft.leader(), raft.term(),
          raft.role() == Role.LEADER ? "elected" : "follows"));
    } else if (raft.term() > term) {
      add(Event.protocol(Event.Kind.TERM, Event.NONE, raft.term(), raft.role().name()));
    }
    if (raft.votedFor() >= 0 && raft.votedFor() != raft.self()
        && (raft.votedFor() != votedFor || raft.term() != term)) {
      add(Event.protocol(Event.Kind.VOTE, raft.votedFor(), raft.term(), "granted"));
    }
    if (raft.commitIndex() > commitIndex) {
      add(Event.position(Event.Kind.STABLE, raft.commitIndex()));
    }
  }

  /**
   * A snapshot installed from a replica other than the leader ({@link SnapshotFetch}): the
   * event names the replica that served it, so operators and tests see where state came from.
   */
  void snapshotServed(int source, long term, long index) {
    add(Event.protocol(Event.Kind.INSTALL, source, term, "snapshot at " + index
        + " served by source " + source));
  }

  private void add(Event event) {
    if (pending.size() < MAX_PENDING) {
      pending.add(event);
    } else {
      missed++;
    }
  }

  /** The events since the last call, oldest first. */
  List<Event> drain() {
    if (pending.isEmpty() && missed == 0) {
      return List.of();
    }
    List<Event> out = new ArrayList<>(pending);
    if (missed > 0) {
      out.add(Event.of(Event.Kind.DROP, missed + " journal events not drained in time"));
      missed = 0;
    }
    pending.clear();
    return out;
  }
}
