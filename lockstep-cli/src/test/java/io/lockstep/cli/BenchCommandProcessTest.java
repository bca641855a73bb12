package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.process.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lockstep bench --local}: starts replica processes, drives them, reports, stops them. */
class BenchCommandProcessTest {
  @TempDir Path dir;

  @Test
  void benchAgainstALocalClusterReportsThroughputAndLatencyPercentiles() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("bench", "--local", "--data-dir", dir.toString(), "--base-port",
        Integer.toString(FreePorts.basePort(3)), "--clients", "4", "--duration", "2s",
        "--warmup", "1s",
        "--write", "0.5", "--read", "0.3", "--cas", "0.2", "--value-size", "64");
    assertThat(code).as("exit code; out: %s err: %s", out, err).isZero();
    assertThat(out.toString()).contains("4 closed-loop clients")
        .contains("Java client (io.lockstep.client.KvClient)")
        .containsPattern("throughput\\s+[0-9,.]+ ops/s").contains("latency p99.9")
        .contains("errors").contains("none");
    assertThat(err.toString()).as("progress lines").isNotBlank();
  }

  @Test
  void benchWithAJournalDirDrawsItsClientsLanesFromTheirOwnJournal() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    int code = cli.execute("bench", "--local", "--data-dir", dir.toString(), "--base-port",
        Integer.toString(FreePorts.basePort(3)), "--clients", "3", "--duration", "1s",
        "--warmup", "1s", "--journal-dir", dir.resolve("bench").resolve("journal").toString());
    assertThat(code).as("exit code; out: %s", out).isZero();

    Path html = dir.resolve("run.html");
    CommandLine timeline = new CommandLine(new TimelineCommand());
    timeline.setOut(new PrintWriter(new StringWriter(), true));
    timeline.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(timeline.execute("--data-dir", dir.toString(), "-o", html.toString())).isZero();
    String page = Files.readString(html);
    assertThat(page).contains("1 of them clients' own");
    List<String> lanes = ClientJournalTimelineTest.strings(page, "lanes");
    List<Integer> clientLanes = new ArrayList<>();
    for (int i = 0; i < lanes.size(); i++) {
      if (lanes.get(i).startsWith("client ")) {
        clientLanes.add(i);
      }
    }
    assertThat(clientLanes).as("the bench's sessions' lanes in %s", lanes).isNotEmpty();
    assertThat(lanes).noneMatch(l -> l.contains("replicas' view"));
    List<String> types = ClientJournalTimelineTest.strings(page, "types");
    List<long[]> arrows = ClientJournalTimelineTest.rows(page, "arrows");
    for (int lane : clientLanes) {
      assertThat(arrows).as("attempts from lane %d that reached a replica", lane)
          .anyMatch(a -> a[1] == lane && a[3] < 3 && a[5] == 0
              && types.get((int) a[4]).equals("Submit"));
      assertThat(arrows).as("replies to lane %d", lane)
          .anyMatch(a -> a[1] < 3 && a[3] == lane && types.get((int) a[4]).equals("Reply"));
    }
  }

}
