package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.JournalEncoder;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.JournalLines;
import io.lockstep.journal.Stamped;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lockstep timeline} merges every replica's journal under a data directory, keeps the
 * last {@code --since} of it, reports torn lines without failing, and refuses a directory with
 * no journal.
 */
class TimelineCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;

  private int run(String... args) {
    CommandLine cli = new CommandLine(new TimelineCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** Replica {@code id}'s journal: one restart per second for {@code seconds}, a torn end. */
  private void journal(int id, int seconds) throws Exception {
    Path file = Files.createDirectories(dir.resolve(Integer.toString(id)).resolve("journal"))
        .resolve("journal-000001.tsv");
    StringBuilder text = new StringBuilder(JournalLines.HEADER).append('\n');
    for (int s = 0; s < seconds; s++) {
      JournalLines.write(new Stamped(s * 1_000_000_000L, id,
          Event.of(Event.Kind.RESTART, "second " + s)), text);
    }
    Files.writeString(file, text + "17\t1\tSEN");
  }

  @Test
  void mergesEveryReplicasJournalAndReportsTornLines() throws Exception {
    journal(1, 10);
    journal(2, 10);
    Path html = dir.resolve("run.html");
    assertThat(run("--data-dir", dir.toString(), "-o", html.toString())).isZero();
    assertThat(out.toString()).contains("20 events from 2 files");
    assertThat(err.toString()).contains("line 12: expected 10 tab-separated fields, found 3");
    String page = Files.readString(html);
    assertThat(page).contains("\"lanes\":[\"replica 1\",\"replica 2\"]", "Merged 2 journal files");
  }

  @Test
  void sinceKeepsOnlyTheLastStretchBeforeTheNewestEvent() throws Exception {
    journal(1, 60);
    assertThat(run("--data-dir", dir.toString(), "--since", "5s", "-o",
        dir.resolve("r.html").toString())).isZero();
    assertThat(out.toString()).contains("6 events from 1 files");
    assertThat(run("--data-dir", dir.toString(), "--since", "5 parsecs", "-o", "x.html"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--since must be a number with ms, s, m or h");
  }

  @Test
  void aBinaryJournalWithATornTailReadsUpToItAndSaysWhatItSkipped() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    file.write(JournalFormat.HEADER);
    for (int s = 0; s < 10; s++) {
      encoder.add(s * 1_000_000_000L, 3, Event.of(Event.Kind.RESTART, "second " + s));
      encoder.flush(file::write); // one block per event: the cut loses only the last
    }
    byte[] bytes = file.toByteArray();
    Path journal = Files.createDirectories(dir.resolve("3").resolve("journal"))
        .resolve("journal-000001.journal");
    Files.write(journal, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    assertThat(run("--data-dir", dir.toString(), "-o", dir.resolve("t.html").toString()))
        .isZero();
    assertThat(out.toString()).contains("9 events from 1 files");
    assertThat(err.toString()).contains("journal-000001.journal: torn tail at byte ",
        "bytes skipped");
  }

  @Test
  void aDirectoryWithoutJournalsIsAUsageError() {
    assertThat(run("--data-dir", dir.toString(), "-o", dir.resolve("r.html").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no journal files");
    assertThat(dir.resolve("r.html")).doesNotExist();
  }
}
