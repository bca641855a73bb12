package io.lockstep.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.Stamped;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The voting proxy's own journal: a command sent to every replica of a Byzantine cluster is
 * journaled as one invocation, an attempt to each replica, each reply it voted on (the liar's
 * too), and the outcome the vote decided.
 */
class ProxyJournalTest {
  private static final ScriptedReplicas.Script HONEST = ScriptedReplicas.answering("+OK\r\n", 0);
  private static final ScriptedReplicas.Script LIAR = ScriptedReplicas.answering("-ERR no\r\n",
      1);
  @TempDir Path dir;

  @Test
  void theProxyJournalsTheAttemptToEveryReplicaEachVoteAndTheOutcome() throws Exception {
    Path journalDir = dir.resolve("proxy").resolve("journal");
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, LIAR, 2, HONEST, 3, HONEST,
        4, HONEST));
        RedisProxy proxy = RedisProxy.start(
            replicas.options(1, Duration.ofMillis(500), Duration.ofSeconds(5)), "127.0.0.1", 0,
            null, ClientJournal.start(journalDir, List.of(1, 2, 3, 4)));
        Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.read()).isEqualTo('+');
      // Every replica answers at once; wait for the liar's vote, the last to count.
      long end = System.nanoTime() + 5_000_000_000L;
      while (replicas.received.values().stream().anyMatch(List::isEmpty)
          && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      Thread.sleep(200);
    }
    List<Stamped> events = read(journalDir);
    assertThat(events).allMatch(e -> e.replica() == -1);
    Stamped invoke = events.stream().filter(e -> e.event().kind() == Event.Kind.INVOKE)
        .findFirst().orElseThrow();
    String client = invoke.event().client();
    long sequence = invoke.event().sequence();
    assertThat(client).startsWith(ScriptedReplicas.CLIENT + "/");
    List<Stamped> request = events.stream().filter(e -> e.event().client().equals(client)
        && e.event().sequence() == sequence).toList();
    // Every replica was tried; on a loaded machine an attempt timeout (500 ms) may legitimately
    // resend to some, so an attempt may appear more than once.
    assertThat(request).filteredOn(e -> e.event().kind() == Event.Kind.SEND)
        .extracting(e -> e.event().peer()).containsOnly(1, 2, 3, 4);
    assertThat(request).filteredOn(e -> e.event().kind() == Event.Kind.RECEIVE)
        .extracting(e -> e.event().peer()).contains(2, 3, 4);
    assertThat(request).filteredOn(e -> e.event().kind() == Event.Kind.OUTCOME)
        .extracting(e -> e.event().detail()).containsExactly("ok");
  }

  private static List<Stamped> read(Path journalDir) throws Exception {
    List<Stamped> events = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(journalDir)) {
      for (Path file : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          JournalFormat.read(in, events::add, new JournalFormat.Problems() {
            @Override
            public void skipped(String what) {
              problems.add(what);
            }

            @Override
            public void lost(long count) {
              problems.add("lost " + count);
            }
          });
        }
      }
    }
    assertThat(problems).isEmpty();
    return events;
  }
}
