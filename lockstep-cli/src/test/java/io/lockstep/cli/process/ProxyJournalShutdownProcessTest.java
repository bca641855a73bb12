package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.Stamped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code lockstep proxy} process stopped by SIGTERM writes its whole journal: the writer
 * thread drains only every so often, so what the proxy saw since the last drain is in the files
 * only if the orderly shutdown flushes it. The proxy runs with a drain interval of ten minutes,
 * so every event found was written by that flush.
 */
class ProxyJournalShutdownProcessTest {
  @TempDir Path dir;

  @Test
  void sigtermFlushesTheProxysJournalUpToItsLastOutcome() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start(dir, false)) {
      cluster.awaitLeader();
      int port = FreePorts.basePort(1);
      Path journal = dir.resolve("proxy").resolve("journal");
      Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-Dlockstep.journal.drain-millis=600000", "-cp",
          System.getProperty("java.class.path"), "io.lockstep.cli.Main", "proxy", "--config",
          cluster.configFiles.get(1).toString(), "--port", Integer.toString(port),
          "--journal-dir", journal.toString())
          .redirectError(dir.resolve("proxy.err").toFile()).start();
      try {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).contains("lockstep proxy for cluster test");
        assertThat(ProxyProcessTest.resp(port, "SET", "a", "1", "--", "SET", "b", "2", "--",
            "INCR", "n")).containsExactly("+OK", "+OK", ":1");
      } finally {
        proxy.destroy(); // SIGTERM
        assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).as("the proxy stopped").isTrue();
      }
      List<Event> events = events(journal);
      assertThat(events.stream().filter(e -> e.kind() == Event.Kind.INVOKE))
          .as("invocations in %s", events).hasSize(3);
      assertThat(events.stream().filter(e -> e.kind() == Event.Kind.OUTCOME))
          .as("outcomes in %s", events).hasSize(3)
          .allMatch(e -> e.detail().equals("ok"));
      assertThat(events.get(events.size() - 1).kind()).isEqualTo(Event.Kind.OUTCOME);
    }
  }

  /** Every event of the journal files in {@code dir}, in file order. */
  static List<Event> events(Path dir) throws IOException {
    List<Event> events = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          JournalFormat.read(in, (Stamped s) -> events.add(s.event()),
              new JournalFormat.Problems() {
                @Override
                public void skipped(String what) {
                  problems.add(file + ": " + what);
                }

                @Override
                public void lost(long count) {
                  problems.add(file + ": lost " + count);
                }
              });
        }
      }
    }
    assertThat(problems).isEmpty();
    return events;
  }
}
