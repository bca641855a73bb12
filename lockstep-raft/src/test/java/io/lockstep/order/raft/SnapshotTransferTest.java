package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.SnapshotData;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A snapshot transfer always finishes (§5.3): the leader, and a source, go on sending the
 * snapshot a transfer began with while newer snapshots are taken, keep its bytes pinned until
 * the transfer ends, and keep the log after it so that the follower then catches up by
 * AppendEntries. Sending the newest snapshot instead restarted a transfer that lasted longer
 * than the gap between snapshots, for ever.
 */
class SnapshotTransferTest {
  private static final int CHUNK = SnapshotChunks.MAX_CHUNK_BYTES;
  private static final byte[] STATE = state(3 * CHUNK + CHUNK / 2);

  private static byte[] state(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(11).nextBytes(bytes);
    return bytes;
  }

  /** Follower 3, down, lacks the snapshot leader 1 (and 2) took; {@code pins} records pins. */
  private static Cluster compactedWithFollowerDown(boolean fromLeaderOnly, List<Pinned> pins) {
    Cluster cluster = new Cluster(3, 93);
    if (fromLeaderOnly) {
      cluster.raft(1).replication().sendSnapshotsOnlyFromLeader();
    }
    cluster.makeLeader(1);
    cluster.crash(3);
    for (int i = 0; i < 20; i++) {
      cluster.propose(1, "a" + i);
    }
    cluster.run(100);
    takeSnapshots(cluster, pins);
    cluster.propose(1, "after");
    cluster.run(50);
    return cluster;
  }

  /** Replicas 1 and 2 take a snapshot of {@link #STATE} at their applied positions. */
  private static void takeSnapshots(Cluster cluster, List<Pinned> pins) {
    for (int id = 1; id <= 2; id++) {
      Pinned data = new Pinned(SnapshotData.of(STATE), cluster.node(id).appliedPosition);
      pins.add(data);
      cluster.step(id, new Input.SnapshotTaken(cluster.node(id).appliedPosition, data));
    }
  }

  /**
   * One hop at a time, a write per hop and new snapshots on 1 and 2 every third hop from
   * {@code from} on: a snapshot every ~1.5 chunks, so a transfer of four chunks that restarted
   * at each new snapshot would never end.
   */
  private static void writeAndSnapshotWhileTransferring(Cluster cluster, List<Pinned> pins,
      int from) {
    for (int hop = 0; hop < 60 && cluster.node(3).installs.isEmpty(); hop++) {
      cluster.propose(1, "w" + hop);
      cluster.deliverQueued();
      if (hop >= from && hop % 3 == 2) {
        takeSnapshots(cluster, pins);
      }
    }
  }

  @Test
  void theLeaderFinishesTheSnapshotItBeganWhileNewerOnesAreTakenThenSendsTheLog() {
    List<Pinned> pins = new ArrayList<>();
    Cluster cluster = compactedWithFollowerDown(true, pins);
    long first = cluster.raft(1).snapshotIndex();
    List<Long> chunksOf = new ArrayList<>();
    cluster.rewriteWith(e -> {
      if (e.message() instanceof RaftMessage.InstallSnapshot m) {
        chunksOf.add(m.index());
      }
      return e;
    });
    cluster.restart(3);
    cluster.tickAll(50); // a heartbeat: its answer shows the leader where 3 stands
    writeAndSnapshotWhileTransferring(cluster, pins, 2);

    assertThat(cluster.node(3).installs).as("the transfer ended").hasSize(1);
    assertThat(cluster.node(3).installs.get(0).index()).isEqualTo(first);
    assertThat(chunksOf).as("every chunk was of the snapshot the transfer began with")
        .hasSize(4).containsOnly(first);
    assertTwoNewerSnapshots(pins, first);

    cluster.run(500);
    assertReleased(pins);
    assertThat(cluster.node(3).installs).as("the log after it was kept: no second snapshot")
        .hasSize(1);
    assertThat(cluster.raft(3).status().commitIndex())
        .isEqualTo(cluster.raft(1).status().commitIndex());
  }

  @Test
  void aSourceServesTheSnapshotItBeganWithWhileItTakesNewerOnes() {
    List<Pinned> pins = new ArrayList<>();
    Cluster cluster = compactedWithFollowerDown(false, pins);
    List<String> chunks = new ArrayList<>();
    cluster.rewriteWith(e -> {
      if (e.message() instanceof RaftMessage.SnapshotChunk c) {
        chunks.add(e.from() + ":" + c.chunk().index());
      } else if (e.message() instanceof RaftMessage.InstallSnapshot m) {
        chunks.add(e.from() + ":" + m.index());
      }
      return e;
    });
    cluster.restart(3);
    cluster.tickAll(50);
    // From the fifth hop on, once 2 served its first chunk: a source that takes a snapshot
    // between its report and the follower's first request no longer holds the one the leader
    // named, and the follower falls back to the leader (SnapshotSourceTest).
    writeAndSnapshotWhileTransferring(cluster, pins, 5);

    assertThat(cluster.node(3).installs).as("the transfer ended").hasSize(1);
    long served = cluster.node(3).installs.get(0).index();
    assertThat(chunks).as("source 2 served every chunk, all of one snapshot")
        .hasSize(4).containsOnly("2:" + served);
    assertTwoNewerSnapshots(pins, served);
    assertThat(cluster.raft(3).fetch().installedFromSources()).isEqualTo(1);

    cluster.run(1000);
    assertThat(cluster.raft(2).fetch().serving()).as("released after the follower went quiet")
        .isZero();
    assertReleased(pins);
    assertThat(cluster.node(3).installs).as("the log after it was kept: no second snapshot")
        .hasSize(1);
    assertThat(cluster.raft(3).status().commitIndex())
        .isEqualTo(cluster.raft(1).status().commitIndex());
  }

  @Test
  void aFollowerSilentForFourElectionTimeoutsLosesItsPinAndGetsTheNewestSnapshotLater() {
    List<Pinned> pins = new ArrayList<>();
    Cluster cluster = compactedWithFollowerDown(true, pins);
    long first = cluster.raft(1).snapshotIndex();
    cluster.restart(3);
    cluster.tickAll(50);
    cluster.deliverQueued(); // heartbeat
    cluster.deliverQueued(); // its answer: the leader starts the transfer, pinning `first`
    assertThat(cluster.raft(1).replication().progress(3).pendingSnapshot()).isEqualTo(first);
    cluster.crash(3);
    cluster.run(200);
    takeSnapshots(cluster, pins);
    assertThat(pins.get(0).released).as("silent for less than four timeouts").isFalse();
    cluster.run(4 * 300);
    assertThat(pins.get(0).released).as("silent for four election timeouts: failed").isTrue();
    assertThat(cluster.raft(1).replication().progress(3).pendingSnapshot())
        .as("what it holds now is the newest").isEqualTo(cluster.raft(1).snapshotIndex());
    cluster.restart(3);
    cluster.run(1000);
    assertThat(cluster.node(3).installs).hasSize(1);
    assertThat(cluster.node(3).installs.get(0).index()).isGreaterThan(first);
  }

  /** Replicas 1 and 2 took at least two snapshots newer than {@code index} during the transfer. */
  private static void assertTwoNewerSnapshots(List<Pinned> pins, long index) {
    assertThat(pins.stream().filter(p -> p.index > index).map(p -> p.index).distinct().count())
        .as("snapshots newer than %d taken during the transfer", index).isGreaterThanOrEqualTo(2);
  }

  /** Something was pinned, and every pin was released once the transfer ended. */
  private static void assertReleased(List<Pinned> pins) {
    assertThat(pins).anyMatch(p -> p.pins > 0);
    assertThat(pins).filteredOn(p -> p.pins > 0).allMatch(p -> p.released);
  }

  /** Snapshot data that records its pins, as a file-backed runtime's would hold its file. */
  static final class Pinned implements SnapshotData {
    private final SnapshotData bytes;
    final long index;
    int pins;
    boolean released;

    Pinned(SnapshotData bytes, long index) {
      this.bytes = bytes;
      this.index = index;
    }

    @Override
    public long size() {
      return bytes.size();
    }

    @Override
    public java.io.InputStream open() throws java.io.IOException {
      return bytes.open();
    }

    @Override
    public byte[] read(long offset, int length) {
      return bytes.read(offset, length);
    }

    @Override
    public Pin pin() {
      pins++;
      return new Pin() {
        @Override
        public SnapshotData data() {
          return bytes;
        }

        @Override
        public void release() {
          released = true;
        }
      };
    }
  }

}
