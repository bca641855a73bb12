package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.JournalRing;
import io.lockstep.journal.Stamped;
import io.lockstep.server.config.JournalSettings;
import io.lockstep.server.config.Service;
import java.io.InputStream;
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
 * The server's journal: a full ring's loss written down rather than hidden, a real cluster's
 * replicas journaling the request path, and the cluster file's journal settings obeyed.
 */
class ServerJournalTest {
  @TempDir Path dir;

  private final List<Long> lost = new ArrayList<>();

  private List<Stamped> readAll(Path journalDir) throws Exception {
    List<Stamped> events = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (Path file : JournalFiles.files(journalDir)) {
      try (InputStream in = Files.newInputStream(file)) {
        JournalFormat.read(in, events::add, new JournalFormat.Problems() {
          @Override
          public void skipped(String what) {
            bad.add(what);
          }

          @Override
          public void lost(long count) {
            lost.add(count);
          }
        });
      }
    }
    assertThat(bad).isEmpty();
    return events;
  }

  @Test
  void aFullRingLosesTheOldestAndTheFileSaysHowMany() throws Exception {
    Path journal = dir.resolve("journal");
    ServerJournal j = new ServerJournal(0, new JournalWriter("0", new JournalRing(4),
        new JournalFiles(journal, 1 << 20, 2)));
    for (int i = 1; i <= 10; i++) {
      j.record(0, Event.position(Event.Kind.STABLE, i));
    }
    j.close();
    assertThat(readAll(journal)).extracting(e -> e.event().position())
        .containsExactly(7L, 8L, 9L, 10L);
    assertThat(lost).containsExactly(6L);
  }

  @Test
  void aRealClusterJournalsTheRequestPathOnEveryReplica() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("x", "1");
        kv.set("y", "2");
      }
      // A follower learns the commit index with the leader's next message: wait until every
      // replica applied both writes, or one closed before that has no APPLY to journal.
      awaitAllApplied(cluster, cluster.server(leader).status().commitIndex());
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

  private static void awaitAllApplied(TestCluster cluster, long index)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (int id = 1; id <= 3; id++) {
      while (cluster.server(id).status().applied() < index) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("replica " + id + " did not apply through " + index + ": "
              + cluster.server(id).status());
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void theSettingsBoundTheFilesOrTurnTheJournalOff() throws Exception {
    Path journal = dir.resolve("sized");
    try (ServerJournal j = ServerJournal.start(1, journal,
        new JournalSettings(true, JournalSettings.MIN_FILE_BYTES, 2))) {
      for (int i = 0; i < 200_000; i++) {
        j.record(1, Event.request(Event.Kind.APPLY, "client-" + (i % 32), i, i, "OK "));
        if (i % 50_000 == 0) {
          Thread.sleep(3 * JournalWriter.DRAIN_MILLIS); // let the writer roll files meanwhile
        }
      }
    }
    List<Path> files = JournalFiles.files(journal);
    assertThat(files).hasSize(2);
    for (Path file : files) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(JournalSettings.MIN_FILE_BYTES
          + io.lockstep.journal.JournalFormat.BLOCK_BYTES + 1024);
    }
    assertThat(readAll(journal)).last().extracting(e -> e.event().sequence())
        .isEqualTo(199_999L);
    Path off = dir.resolve("off");
    try (ServerJournal j = ServerJournal.start(1, off,
        new JournalSettings(false, JournalSettings.MIN_FILE_BYTES, 2))) {
      assertThat(j.on()).isFalse();
      j.record(1, Event.of(Event.Kind.CRASH, "x"));
    }
    assertThat(off).doesNotExist();
  }

  @Test
  void aClusterWithTheJournalTurnedOffWritesNone() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 1, Service.KV,
        c -> c.withJournal(new JournalSettings(false, 1 << 20, 2)))) {
      cluster.start(1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("x", "1");
      }
    }
    assertThat(dir.resolve("1").resolve("journal")).doesNotExist();
    assertThat(dir.resolve("1")).isDirectory();
  }
}
