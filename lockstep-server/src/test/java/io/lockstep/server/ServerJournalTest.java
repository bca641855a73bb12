package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.journal.Event;
import io.lockstep.journal.JournalLines;
import io.lockstep.journal.JournalRing;
import io.lockstep.journal.Stamped;
import io.lockstep.server.config.Service;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's journal: rolling files bounded in size and number, a full ring's loss written
 * down rather than hidden, and a real cluster's replicas journaling the request path.
 */
class ServerJournalTest {
  @TempDir Path dir;

  private static List<Stamped> readAll(Path journalDir) throws Exception {
    List<Stamped> events = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (Path file : JournalFiles.files(journalDir)) {
      JournalLines.read(new StringReader(Files.readString(file)), events::add, bad::add);
    }
    assertThat(bad).isEmpty();
    return events;
  }

  @Test
  void filesRollAtTheirSizeAndOnlyTheNewestAreKept() throws Exception {
    Path journal = dir.resolve("journal");
    try (JournalFiles files = new JournalFiles(journal, 100, 3)) {
      for (int i = 0; i < 40; i++) {
        files.append(String.format("%050d%n", i));
      }
    }
    List<Path> kept = JournalFiles.files(journal);
    assertThat(kept).hasSize(3);
    for (Path file : kept) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(100 + 51);
      assertThat(Files.readAllLines(file).get(0)).isEqualTo(JournalLines.HEADER);
    }
    assertThat(Files.readString(kept.get(2))).contains(String.format("%050d", 39));
    try (JournalFiles again = new JournalFiles(journal, 100, 3)) {
      again.append("after restart\n");
    }
    List<Path> afterRestart = JournalFiles.files(journal);
    assertThat(afterRestart.get(2).getFileName().toString())
        .as("a restart starts a new file after the old ones").isEqualTo(String.format(
            "journal-%06d.tsv", Integer.parseInt(kept.get(2).getFileName().toString()
                .substring(8, 14)) + 1));
  }

  @Test
  void aFullRingLosesTheOldestAndTheFileSaysHowMany() throws Exception {
    Path journal = dir.resolve("journal");
    ServerJournal j = new ServerJournal(0, new JournalRing(4), new JournalFiles(journal, 1 << 20,
        2));
    for (int i = 1; i <= 10; i++) {
      j.record(0, Event.position(Event.Kind.STABLE, i));
    }
    j.close();
    String text = Files.readString(JournalFiles.files(journal).get(0));
    assertThat(text).contains("# lost 6 events: the journal ring was full");
    assertThat(readAll(journal)).extracting(e -> e.event().position())
        .containsExactly(7L, 8L, 9L, 10L);
  }

  @Test
  void aRealClusterJournalsTheRequestPathOnEveryReplica() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("x", "1");
        kv.set("y", "2");
      }
      cluster.close();
      Set<String> leaderKinds = new HashSet<>();
      for (int id = 1; id <= 3; id++) {
        List<Stamped> events = readAll(dir.resolve(Integer.toString(id)).resolve("journal"));
        Set<String> kinds = new HashSet<>();
        events.forEach(e -> kinds.add(e.event().kind().name()));
        assertThat(kinds).as("replica " + id).contains("RESTART", "SEND", "RECEIVE", "APPLY",
            "STABLE", "LEADER", "CRASH");
        assertThat(events).allMatch(e -> e.replica() == events.get(0).replica());
        if (id == leader) {
          leaderKinds.addAll(kinds);
          assertThat(events).filteredOn(e -> e.event().kind() == Event.Kind.REPLY)
              .hasSizeGreaterThanOrEqualTo(2);
        }
      }
      assertThat(leaderKinds).contains("PROPOSE", "REPLY", "ELECTION");
    }
  }
}
