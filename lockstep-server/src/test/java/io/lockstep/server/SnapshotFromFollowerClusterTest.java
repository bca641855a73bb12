package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.journal.Event;
import io.lockstep.journal.JournalFormat;
import io.lockstep.journal.Stamped;
import io.lockstep.server.config.Service;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State transfer from a follower on real servers: a wiped follower restarts behind the leader's
 * log start, the leader names the other follower as the source, and the wiped one's journal
 * says which replica served its snapshot.
 */
class SnapshotFromFollowerClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aWipedFollowerGetsItsSnapshotFromTheOtherFollower() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, 100)) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(ELECTION);
      int follower = leader % 3 + 1;
      int other = 6 - leader - follower;
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("first", "1");
      }
      cluster.stop(follower);
      try (KvClient kv = new KvClient(cluster.client())) {
        for (int i = 0; i < 250; i++) {
          kv.set("key" + i, "value" + i);
        }
      }
      cluster.awaitSnapshot(leader, 200, ELECTION);
      // The source must hold a snapshot at least as recent as the leader's, or the leader
      // sends its own (the fallback, tested in Raft's SnapshotSourceTest).
      long leaderSnapshot = cluster.server(leader).status().snapshotIndex();
      cluster.awaitSnapshot(other, leaderSnapshot, ELECTION);
      assertThat(cluster.server(leader).status().snapshotIndex()).isEqualTo(leaderSnapshot);

      // The other follower's link to the restarted one may still be in its reconnect backoff
      // (randomized): the follower then gives up on it as silent and takes the leader's chunks,
      // which is the fallback working; and a leader elected meanwhile knows no follower's match
      // yet, so it names no source. So the transfer is repeated, up to six times, until a
      // source serves it; every attempt must catch up.
      List<String> attempts = new ArrayList<>();
      List<String> served = List.of();
      for (int attempt = 1; attempt <= 6 && served.isEmpty(); attempt++) {
        cluster.wipe(follower);
        cluster.start(follower);
        long target = cluster.server(leader).status().commitIndex();
        long end = System.nanoTime() + 3 * ELECTION.toNanos();
        while (cluster.server(follower).status().applied() < target
            && System.nanoTime() < end) {
          Thread.sleep(10);
        }
        assertThat(cluster.server(follower).status().applied()).isGreaterThanOrEqualTo(target);
        cluster.stop(follower);
        List<Event> events = journal(cluster.config.dataDirOf(follower).resolve("journal"))
            .stream().map(Stamped::event).toList();
        // Who led when the snapshot landed: leadership may move between attempts.
        int leading = -1;
        List<String> found = new ArrayList<>();
        for (Event e : events) {
          if (e.kind() == Event.Kind.LEADER) {
            leading = e.peer();
          } else if (e.kind() == Event.Kind.INSTALL && e.detail().contains("served by source")) {
            found.add(e.peer() + " while " + leading + " led");
            assertThat(e.peer()).as("served by a follower, not the leader").isNotEqualTo(leading)
                .isNotEqualTo(follower);
          }
        }
        served = found;
        attempts.add(events.stream().filter(e -> e.kind() == Event.Kind.DROP
            || e.kind() == Event.Kind.INSTALL).map(e -> e.kind() + " " + e.detail()).toList()
            .toString());
      }
      assertThat(served).as("the follower's snapshot came from a follower (attempts: %s)",
          attempts).hasSize(1);
    }
  }

  private static List<Stamped> journal(Path journalDir) throws Exception {
    List<Stamped> events = new ArrayList<>();
    for (Path file : JournalFiles.files(journalDir)) {
      try (InputStream in = Files.newInputStream(file)) {
        JournalFormat.read(in, events::add, new JournalFormat.Problems() {
          @Override
          public void skipped(String what) {}

          @Override
          public void lost(long count) {}
        });
      }
    }
    return events;
  }
}
