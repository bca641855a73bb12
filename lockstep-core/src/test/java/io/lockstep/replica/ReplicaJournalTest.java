package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replica builds its per-write events (proposal, apply) only while its journal is recording,
 * so a journal paused at run time costs the loop thread nothing and an on/off measurement in one
 * run compares the journal against no journal at all.
 */
class ReplicaJournalTest {
  private static final ClientId A = ClientId.of("a");

  /** A journal switched by the test; what it was handed, and whether that was while paused. */
  private static final class SwitchedJournal implements Journal {
    boolean recording = true;
    final List<Event.Kind> kept = new ArrayList<>();
    final List<Event.Kind> handedWhilePaused = new ArrayList<>();

    @Override
    public void record(int replica, Event event) {
      (recording ? kept : handedWhilePaused).add(event.kind());
    }

    @Override
    public boolean recording() {
      return recording;
    }
  }

  @Test
  void proposalsAndAppliesAreBuiltOnlyWhileTheJournalRecords() {
    Replica replica = new Replica(0, new ScriptedCoordination(),
        new Executor(new CounterMachine(), ExecutorConfig.defaults(0)), 0, 0);
    SwitchedJournal journal = new SwitchedJournal();
    replica.journal(journal);

    replica.propose(Request.command(A, 1, utf8("inc")));
    assertThat(journal.kept).contains(Event.Kind.PROPOSE, Event.Kind.APPLY);

    journal.recording = false;
    journal.kept.clear();
    replica.propose(Request.command(A, 2, utf8("inc")));
    assertThat(replica.appliedPosition()).isEqualTo(2);
    assertThat(journal.handedWhilePaused).doesNotContain(Event.Kind.PROPOSE, Event.Kind.APPLY);
    assertThat(journal.kept).isEmpty();

    journal.recording = true;
    replica.propose(Request.command(A, 3, utf8("inc")));
    assertThat(journal.kept).contains(Event.Kind.PROPOSE, Event.Kind.APPLY);
  }

  @Test
  void theJournalThatKeepsNothingSaysSo() {
    assertThat(Journal.OFF.recording()).isFalse();
    Journal plain = (replica, event) -> { };
    assertThat(plain.recording()).isTrue();
  }
}
