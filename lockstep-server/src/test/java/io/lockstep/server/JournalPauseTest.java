package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.JournalRing;
import io.lockstep.journal.Stamped;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A switchable journal (the one-run on/off measurement, docs/BENCHMARKS.md): while its pause
 * file exists it keeps nothing and says so to the callers that would build events, and it
 * resumes when the file goes, within one drain.
 */
class JournalPauseTest {
  @TempDir Path dir;

  @Test
  void thePauseFileSwitchesTheJournalOffAndOnAtTheNextDrain() throws Exception {
    Path journalDir = dir.resolve("journal");
    Path pause = journalDir.resolve(ServerJournal.PAUSE_FILE);
    JournalWriter writer = new JournalWriter("1", new JournalRing(1 << 10),
        new JournalFiles(journalDir, 1 << 20, 2)).pausedBy(pause);
    ServerJournal journal = new ServerJournal(1, writer);
    assertThat(journal.recording()).isTrue();
    writeThree(journal, 1);

    Files.createFile(pause);
    writer.drain();
    assertThat(journal.recording()).isFalse();
    assertThat(journal.on()).as("paused, not off: the writer stays").isTrue();
    writeThree(journal, 2);

    Files.delete(pause);
    writer.drain();
    assertThat(journal.recording()).isTrue();
    writeThree(journal, 3);
    journal.close();

    List<Stamped> kept = readAll(journalDir);
    assertThat(kept).extracting(e -> e.event().kind()).containsExactly(
        Event.Kind.STABLE, Event.Kind.REPLY, Event.Kind.SEND,
        Event.Kind.STABLE, Event.Kind.REPLY, Event.Kind.SEND);
    assertThat(kept).extracting(e -> e.event().position()).containsExactly(
        1L, 1L, (long) Event.NONE, 3L, 3L, (long) Event.NONE);
  }

  @Test
  void aJournalWithNoPauseFileNeverPauses() throws Exception {
    Path journalDir = dir.resolve("plain");
    JournalWriter writer = new JournalWriter("1", new JournalRing(16),
        new JournalFiles(journalDir, 1 << 20, 2));
    // The file a switchable journal would obey: this one was never told about it.
    Files.createFile(journalDir.resolve(ServerJournal.PAUSE_FILE));
    writer.drain();
    assertThat(writer.recording()).isTrue();
    writer.close();
  }

  /** A commit mark, a reply and a send, marked with {@code n}. */
  private static void writeThree(ServerJournal journal, long n) {
    journal.record(1, Event.position(Event.Kind.STABLE, n));
    journal.replied(new Reply(ClientId.of("c"), n, Reply.Status.OK, new byte[0], "", n, 1));
    journal.sent(2, new io.lockstep.order.ProtocolMessage() { });
  }

  private static List<Stamped> readAll(Path journalDir) throws Exception {
    List<Stamped> events = new ArrayList<>();
    for (Path file : JournalFiles.files(journalDir)) {
      try (InputStream in = Files.newInputStream(file)) {
        JournalFormat.read(in, events::add, new JournalFormat.Problems() {
          @Override
          public void skipped(String what) {
            throw new AssertionError(what);
          }

          @Override
          public void lost(long count) {
            throw new AssertionError("lost " + count);
          }
        });
      }
    }
    return events;
  }
}
