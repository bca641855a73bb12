package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * State transfer from a replica other than the leader ({@link SnapshotFetch}): the leader names
 * an up-to-date source, the follower fetches the chunks from it, and every way the source can
 * fail (too old, silent, damaging a chunk) ends on the leader's own path with the whole,
 * undamaged state installed.
 */
class SnapshotSourceTest {
  private static final int CHUNK = SnapshotChunks.MAX_CHUNK_BYTES;
  private static final byte[] STATE = state(2 * CHUNK + CHUNK / 2);

  private static byte[] state(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(11).nextBytes(bytes);
    return bytes;
  }

  /**
   * Leader 1 holds a snapshot of {@link #STATE} that follower 3, down, lacks; 2 holds the same
   * snapshot if {@code sourceToo}, else an older one.
   */
  private static Cluster compacted(boolean sourceToo, Function<Integer, Raft.Bug> bugs) {
    Cluster cluster = new Cluster(3, c -> c, bugs, 93);
    cluster.makeLeader(1);
    cluster.crash(3);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, "a" + i);
    }
    cluster.run(100);
    long position = cluster.node(1).appliedPosition;
    if (!sourceToo) {
      cluster.step(2, new Input.SnapshotTaken(position - 5, new byte[] {1, 2, 3}));
    }
    cluster.step(1, new Input.SnapshotTaken(position, STATE));
    if (sourceToo) {
      cluster.step(2, new Input.SnapshotTaken(position, STATE));
    }
    cluster.propose(1, "after");
    cluster.run(50);
    return cluster;
  }

  private static Cluster compacted(boolean sourceToo) {
    return compacted(sourceToo, id -> Raft.Bug.NONE);
  }

  /** Records the snapshot traffic in delivery order. */
  private static List<String> watch(Cluster cluster) {
    List<String> seen = new ArrayList<>();
    cluster.rewriteWith(e -> {
      describe(e).ifPresent(seen::add);
      return e;
    });
    return seen;
  }

  private static java.util.Optional<String> describe(Cluster.Envelope e) {
    RaftMessage m = e.message();
    String who = e.from() + ">" + e.to() + " ";
    if (m instanceof RaftMessage.SnapshotSource s) {
      return java.util.Optional.of(who + "source=" + s.source());
    } else if (m instanceof RaftMessage.FetchSnapshot f) {
      return java.util.Optional.of(who + "fetch@" + f.offset());
    } else if (m instanceof RaftMessage.SnapshotChunk c) {
      return java.util.Optional.of(who + "piece@" + c.chunk().offset() + "/" + c.chunk().index());
    } else if (m instanceof RaftMessage.InstallSnapshot c) {
      return java.util.Optional.of(who + "chunk@" + c.offset());
    } else if (m instanceof RaftMessage.InstallSnapshotResponse r) {
      return java.util.Optional.of(who + (r.index() >= r.snapshotIndex() ? "installed"
          : "ack=" + r.received()));
    }
    return java.util.Optional.empty();
  }

  private static void assertInstalledWholeAt3(Cluster cluster) {
    Cluster.Node follower = cluster.node(3);
    assertThat(follower.installs).hasSize(1);
    Snapshot installed = follower.installs.get(0);
    assertThat(installed.state()).isEqualTo(STATE);
    assertThat(cluster.raft(3).status().commitIndex())
        .isEqualTo(cluster.raft(cluster.leader()).status().commitIndex());
  }

  /** The INSTALL events at 3 that name the replica that served the snapshot. */
  private static List<Integer> servedBy(Cluster cluster) {
    return cluster.raft(3).drainEvents().stream().filter(e -> e.kind() == Event.Kind.INSTALL)
        .map(Event::peer).toList();
  }

  @Test
  void theLeaderNamesAnUpToDateFollowerAndTheSnapshotComesFromIt() {
    Cluster cluster = compacted(true);
    List<String> seen = watch(cluster);
    cluster.restart(3);
    cluster.run(300);
    assertThat(seen).containsExactly("1>3 source=2", "3>2 fetch@0", "2>3 piece@0/" + index(cluster),
        "3>2 fetch@" + CHUNK, "2>3 piece@" + CHUNK + "/" + index(cluster),
        "3>2 fetch@" + 2 * CHUNK, "2>3 piece@" + 2 * CHUNK + "/" + index(cluster),
        "3>1 installed");
    assertInstalledWholeAt3(cluster);
    assertThat(servedBy(cluster)).containsExactly(2);
  }

  @Test
  void aFollowerKnownToHoldOnlyAnOlderSnapshotIsNotNamedAndTheLeaderSendsItsOwn() {
    Cluster cluster = compacted(false);
    assertThat(cluster.raft(1).replication().progress(2).reported().index())
        .as("2 reported its snapshot in a heartbeat answer").isEqualTo(index(cluster) - 5);
    List<String> seen = watch(cluster);
    cluster.restart(3);
    cluster.run(300);
    assertThat(seen).as("no round trip to a source that would refuse").containsExactly(
        "1>3 chunk@0", "3>1 ack=" + CHUNK, "1>3 chunk@" + CHUNK,
        "3>1 ack=" + 2 * CHUNK, "1>3 chunk@" + 2 * CHUNK, "3>1 installed");
    assertInstalledWholeAt3(cluster);
    assertThat(servedBy(cluster)).as("the leader served it, not a source").isEmpty();
  }

  @Test
  void aLostRequestToTheSourceIsSentOnceMoreAndTheSourceStillServes() {
    Cluster cluster = compacted(true);
    List<String> seen = watch(cluster);
    boolean[] dropped = {false};
    cluster.dropWhen(e -> {
      if (!dropped[0] && e.message() instanceof RaftMessage.FetchSnapshot) {
        dropped[0] = true;
        return true;
      }
      return false;
    });
    cluster.restart(3);
    cluster.run(2000);
    assertThat(seen).containsExactly("1>3 source=2", "3>2 fetch@0",
        "2>3 piece@0/" + index(cluster), "3>2 fetch@" + CHUNK,
        "2>3 piece@" + CHUNK + "/" + index(cluster), "3>2 fetch@" + 2 * CHUNK,
        "2>3 piece@" + 2 * CHUNK + "/" + index(cluster), "3>1 installed");
    assertInstalledWholeAt3(cluster);
    assertThat(servedBy(cluster)).containsExactly(2);
  }

  @Test
  void aLostNamingOfTheSourceIsSeenInTheNextHeartbeatAnswerAndTheLeaderSendsItsOwn() {
    Cluster cluster = compacted(true);
    List<String> seen = watch(cluster);
    boolean[] dropped = {false};
    cluster.dropWhen(e -> {
      if (!dropped[0] && e.message() instanceof RaftMessage.SnapshotSource) {
        dropped[0] = true;
        return true;
      }
      return false;
    });
    cluster.restart(3);
    // Follower 3 answers every heartbeat meanwhile; it must not keep the leader waiting.
    cluster.run(2000);
    assertInstalledWholeAt3(cluster);
    assertThat(seen).as("the leader sent its own chunks").contains("1>3 chunk@0");
  }

  @Test
  void aLostAnswerToTheLastChunkIsTakenFromTheHeartbeatReportAndTheLogFollows() {
    Cluster cluster = compacted(true);
    boolean[] dropped = {false};
    cluster.dropWhen(e -> {
      if (!dropped[0] && e.message() instanceof RaftMessage.InstallSnapshotResponse r
          && r.index() == index(cluster)) {
        dropped[0] = true;
        return true;
      }
      return false;
    });
    cluster.restart(3);
    cluster.run(2000);
    assertThat(dropped[0]).as("the install's answer was lost").isTrue();
    assertInstalledWholeAt3(cluster);
    Raft leader = cluster.raft(1);
    assertThat(leader.replication().progress(3).match())
        .as("the leader replicates the log after the snapshot to 3")
        .isEqualTo(leader.log().lastIndex());
  }

  @Test
  void aTransferFromASourceLongerThanTwoElectionTimeoutsIsNotTakenOverWhileTheFollowerLives() {
    Cluster cluster = compacted(true);
    List<String> seen = watch(cluster);
    cluster.restart(3);
    // 100 ms per message hop: each chunk's round trip takes 200 ms, the whole transfer far
    // more than the leader's two election timeouts (600 ms); heartbeats flow meanwhile.
    for (int hop = 0; hop < 40 && cluster.node(3).installs.isEmpty(); hop++) {
      cluster.tickAll(100);
      cluster.deliverQueued();
    }
    cluster.run(300);
    assertInstalledWholeAt3(cluster);
    assertThat(seen).as("no chunk from the leader").noneMatch(s -> s.startsWith("1>3 chunk"))
        .contains("2>3 piece@" + 2 * CHUNK + "/" + index(cluster));
    assertThat(servedBy(cluster)).containsExactly(2);
  }

  @Test
  void aSourceThatFallsSilentMidTransferHandsOverToTheLeaderWhereItStopped() {
    Cluster cluster = compacted(true);
    List<String> seen = watch(cluster);
    cluster.restart(3);
    // Source 2 goes quiet after its first chunk, as if it crashed.
    cluster.dropWhen(e -> e.from() == 2 && e.message() instanceof RaftMessage.SnapshotChunk c
        && c.chunk().offset() >= CHUNK);
    cluster.run(100);
    assertThat(seen).as("nothing happens before the timeout").containsExactly("1>3 source=2",
        "3>2 fetch@0", "2>3 piece@0/" + index(cluster), "3>2 fetch@" + CHUNK);
    cluster.run(2000);
    assertThat(seen.subList(4, seen.size())).as("asked once more, then the leader goes on from"
        + " the first chunk").containsExactly("3>2 fetch@" + CHUNK, "3>1 ack=" + CHUNK, "1>3 chunk@" + CHUNK, "3>1 ack=" + 2 * CHUNK,
            "1>3 chunk@" + 2 * CHUNK, "3>1 installed");
    assertInstalledWholeAt3(cluster);
    assertThat(servedBy(cluster)).isEmpty();
  }

  @Test
  void aDamagedChunkFromTheSourceIsRefusedAndTheLeaderSendsItAgain() {
    Cluster cluster = compacted(true);
    List<String> seen = new ArrayList<>();
    cluster.rewriteWith(e -> {
      describe(e).ifPresent(seen::add);
      return damageSecondPiece(e);
    });
    cluster.restart(3);
    cluster.run(300);
    assertThat(seen).containsSubsequence("2>3 piece@" + CHUNK + "/" + index(cluster),
        "3>1 ack=" + CHUNK, "1>3 chunk@" + CHUNK, "3>1 installed");
    assertThat(cluster.raft(3).drainEvents()).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(Event.Kind.DROP);
      assertThat(e.detail()).contains("corrupt chunk from source 2");
    });
    assertInstalledWholeAt3(cluster);
  }

  @Test
  void withoutTheChecksTheDamagedChunkIsInstalled() {
    Cluster cluster = compacted(true,
        id -> id == 3 ? Raft.Bug.SNAPSHOT_SOURCE_UNCHECKED : Raft.Bug.NONE);
    cluster.rewriteWith(SnapshotSourceTest::damageSecondPiece);
    cluster.restart(3);
    cluster.run(300);
    assertThat(cluster.node(3).installs).hasSize(1);
    assertThat(cluster.node(3).installs.get(0).state()).isNotEqualTo(STATE);
  }

  @Test
  void theFollowerChecksTheSourceItWasNamedAndTheDataAgainstItsChecksum() {
    Raft follower = Nodes.withLog(3, 2, 1, 1);
    byte[] data = {1, 2, 3, 4};
    RaftMessage.InstallSnapshot whole = new RaftMessage.InstallSnapshot(2, 10, 2, 10,
        Nodes.THREE, data.length, SnapshotFetch.checksum(data), 0, data);
    Nodes.receive(follower, 1, new RaftMessage.SnapshotSource(2, 2, id(10, data)));
    assertThat(follower.fetch().source()).isEqualTo(2);
    Nodes.receive(follower, 1, new RaftMessage.SnapshotChunk(2, whole,
        SnapshotFetch.checksum(data)));
    assertThat(follower.lastDropReason()).contains("not the source");
    assertThat(follower.status().snapshotIndex()).isZero();
    Nodes.receive(follower, 2, new RaftMessage.SnapshotChunk(2, whole, 0));
    assertThat(follower.lastDropReason()).contains("checksum mismatch");
    assertThat(follower.fetch().source()).as("gave up on the source").isEqualTo(Raft.NONE);
    assertThat(follower.status().snapshotIndex()).isZero();
    Nodes.receive(follower, 1, new RaftMessage.SnapshotSource(2, 2, id(10, data)));
    RaftMessage.InstallSnapshot older = new RaftMessage.InstallSnapshot(2, 8, 2, 8,
        Nodes.THREE, data.length, SnapshotFetch.checksum(data), 0, data);
    Nodes.receive(follower, 2, new RaftMessage.SnapshotChunk(2, older,
        SnapshotFetch.checksum(data)));
    assertThat(follower.lastDropReason()).contains("not the one the leader named, at 10");
    assertThat(follower.status().snapshotIndex()).isZero();
  }

  @Test
  void withoutTheChecksASnapshotOlderThanTheLeadersIsInstalled() {
    Raft follower = new Raft(RaftConfig.defaults(3, Nodes.THREE),
        new Recovered(new TermAndVote(2, Raft.NONE).toHardState(), null, List.of()), 7,
        Raft.Bug.SNAPSHOT_SOURCE_UNCHECKED);
    follower.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    follower.ready();
    byte[] data = {1, 2, 3, 4};
    Nodes.receive(follower, 1, new RaftMessage.SnapshotSource(2, 2, id(10, data)));
    Nodes.receive(follower, 2, new RaftMessage.SnapshotChunk(2, new RaftMessage.InstallSnapshot(
        2, 8, 2, 8, Nodes.THREE, data.length, SnapshotFetch.checksum(data), 0, data),
        SnapshotFetch.checksum(data)));
    assertThat(follower.status().snapshotIndex()).isEqualTo(8);
  }

  private static RaftMessage.SnapshotId id(long index, byte[] data) {
    return new RaftMessage.SnapshotId(index, 2, SnapshotFetch.checksum(data));
  }

  @Test
  void aSourceWhoseCopyDiffersFromTheLeadersIsNeverNamed() {
    Cluster cluster = new Cluster(3, 93);
    cluster.makeLeader(1);
    cluster.crash(3);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, "a" + i);
    }
    cluster.run(100);
    long position = cluster.node(1).appliedPosition;
    byte[] damaged = STATE.clone();
    damaged[5] ^= 1;
    cluster.step(1, new Input.SnapshotTaken(position, STATE));
    cluster.step(2, new Input.SnapshotTaken(position, damaged));
    cluster.propose(1, "after");
    cluster.run(50);
    List<String> seen = watch(cluster);
    cluster.restart(3);
    cluster.run(300);
    assertThat(seen).as("2 reported the leader's index with another checksum")
        .doesNotContain("1>3 source=2").startsWith("1>3 chunk@0");
    assertInstalledWholeAt3(cluster);
  }

  @Test
  void aWholeSnapshotThatFailsTheNamedChecksumIsDroppedAndFetchedAgainFromTheLeader() {
    Cluster cluster = compacted(true);
    List<String> seen = new ArrayList<>();
    cluster.rewriteWith(e -> {
      describe(e).ifPresent(seen::add);
      return rotSecondPiece(e);
    });
    cluster.restart(3);
    cluster.run(300);
    assertThat(seen).containsSubsequence("2>3 piece@" + 2 * CHUNK + "/" + index(cluster),
        "1>3 chunk@0", "3>1 ack=" + CHUNK, "1>3 chunk@" + CHUNK, "3>1 ack=" + 2 * CHUNK,
        "1>3 chunk@" + 2 * CHUNK, "3>1 installed");
    assertThat(cluster.raft(3).drainEvents()).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(Event.Kind.DROP);
      assertThat(e.detail()).contains("does not match the whole checksum");
    });
    assertInstalledWholeAt3(cluster);
    assertThat(cluster.raft(3).fetch().fallbacks()).isEqualTo(1);
  }

  @Test
  void withoutTheChecksASnapshotFailingTheNamedChecksumIsInstalled() {
    Cluster cluster = compacted(true,
        id -> id == 3 ? Raft.Bug.SNAPSHOT_SOURCE_UNCHECKED : Raft.Bug.NONE);
    cluster.rewriteWith(SnapshotSourceTest::rotSecondPiece);
    cluster.restart(3);
    cluster.run(300);
    assertThat(cluster.node(3).installs).hasSize(1);
    assertThat(cluster.node(3).installs.get(0).state()).isNotEqualTo(STATE);
  }

  /**
   * Flips one byte of source 2's second chunk and gives it the checksum of what it now holds:
   * the source's file rotted after it reported its snapshot, so every chunk checks out.
   */
  private static Cluster.Envelope rotSecondPiece(Cluster.Envelope e) {
    Cluster.Envelope damaged = damageSecondPiece(e);
    if (damaged != e && damaged.message() instanceof RaftMessage.SnapshotChunk c) {
      return new Cluster.Envelope(e.from(), e.to(), new RaftMessage.SnapshotChunk(c.term(),
          c.chunk(), SnapshotFetch.checksum(c.chunk().data())));
    }
    return e;
  }

  /** Flips one byte of source 2's second chunk, keeping the checksum of the original. */
  private static Cluster.Envelope damageSecondPiece(Cluster.Envelope e) {
    if (e.message() instanceof RaftMessage.SnapshotChunk c && c.chunk().offset() == CHUNK) {
      RaftMessage.InstallSnapshot m = c.chunk();
      byte[] data = m.data().clone();
      data[7] ^= 1;
      return new Cluster.Envelope(e.from(), e.to(), new RaftMessage.SnapshotChunk(c.term(),
          new RaftMessage.InstallSnapshot(m.term(), m.index(), m.snapshotTerm(), m.time(),
              m.members(), m.size(), m.checksum(), m.offset(), data), c.checksum()));
    }
    return e;
  }

  private static long index(Cluster cluster) {
    return cluster.raft(1).snapshot().index();
  }
}
