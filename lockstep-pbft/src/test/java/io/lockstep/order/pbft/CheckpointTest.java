package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Checkpoints, watermarks, garbage collection and state transfer. */
class CheckpointTest {
  @Test
  void twoTPlusOneMatchingVotesMakeACheckpointStableAndDiscardTheLogBelow() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    for (int i = 0; i < 9; i++) {
      net.send(net.request());
      net.run();
    }
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).isEqualTo(9);
      assertThat(net.nodes[i].stableSeq()).as("replica " + i).isEqualTo(8);
      assertThat(net.nodes[i].slots.firstKey()).isGreaterThan(8);
      assertThat(net.nodes[i].checkpoints.stableProof).hasSize(3);
    }
  }

  @Test
  void thePrimaryStopsAtTheHighWatermarkUntilACheckpointIsStable() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.message() instanceof PbftMessage.CheckpointVote ? null : m;
    for (int i = 0; i < 12; i++) {
      net.send(net.request());
      net.run();
    }
    // Nothing is stable, so sequence numbers above 8 (low 0 + window 8) are not assigned.
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(8);
    assertThat(net.nodes[1].stableSeq()).isZero();
    net.filter = m -> m;
    net.runFor(200, 50); // the lost votes are repeated: stable at 8, and the rest go through
    assertThat(net.nodes[1].stableSeq()).isEqualTo(12);
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(12);
  }

  @Test
  void aReplicaThatExecutedACheckpointButLostItsVotesGetsTheProofFromAPeersStatusAnswer() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.to() == 3 && m.message() instanceof PbftMessage.CheckpointVote ? null : m;
    for (int i = 0; i < 4; i++) {
      net.send(net.request());
      net.run();
    }
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(4);
    assertThat(net.nodes[0].stableSeq()).isEqualTo(4);
    assertThat(net.nodes[3].stableSeq()).as("its peers' votes were lost").isZero();
    // No more requests: the voters, stable at 4, no longer repeat their votes. Replica 3's
    // status says it executed 4 but holds no proof of it, and the peers answer with theirs
    // (a replica in this state at a replica-set boundary could not order past it).
    net.filter = m -> m;
    net.runFor(200, 50);
    assertThat(net.nodes[3].stableSeq()).isEqualTo(4);
  }

  @Test
  void aLaggingReplicaFetchesAProvenCheckpointAndRejectsACorruptCopy() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    for (int i = 0; i < 10; i++) {
      net.send(net.request(), 0, 1, 2);
      net.run();
    }
    assertThat(net.nodes[0].stableSeq()).isEqualTo(8);
    assertThat(net.nodes[3].lastExecuted()).isZero();
    // Reconnected; every chunk from replica 0 (or whichever it asks first) is corrupted once.
    int[] corrupted = {0};
    net.filter = m -> {
      if (m.message() instanceof PbftMessage.StateChunk c && corrupted[0] == 0) {
        corrupted[0]++;
        byte[] data = c.data();
        data[0] ^= 1;
        return new Net.Msg(m.from(), m.to(),
            new PbftMessage.StateChunk(c.seq(), c.offset(), c.total(), data));
      }
      return m;
    };
    net.runFor(500, 50);
    assertThat(net.nodes[3].transfer.rejected).isEqualTo(1);
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(10);
    assertThat(Arrays.equals(net.state[3], net.state[0])).isTrue();
    assertThat(net.nodes[3].dropsByReason().keySet())
        .anyMatch(r -> r.contains("does not match the stable checkpoint's digest"));
  }

  /**
   * A replica cut off from its peers while they order more than three windows (it holds the
   * clients' requests, so its timer expires and it suspects the primary, alone: it stays in the
   * view) catches up once the partition heals: a peer answers its status with the newest stable
   * checkpoint's proof, it fetches that state, and it executes what follows from the commits
   * and batches its peers send, a member of their view again.
   */
  @Test
  void aReplicaMoreThanAWindowBehindCatchesUpByStateTransferAndStaysInTheView() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
    for (int i = 0; i < 30; i++) {
      net.send(net.request());
      net.runFor(50, 50);
    }
    net.runFor(3_000, 50);
    assertThat(net.nodes[0].lastExecuted()).isEqualTo(30);
    assertThat(net.nodes[3].lastExecuted()).isZero();
    assertThat(net.nodes[3].view()).as("suspects alone, so stays").isZero();
    assertThat(net.nodes[3].changingView()).isFalse();
    assertThat(net.nodes[3].suspicions.suspects()).isTrue();
    net.filter = m -> m;
    net.send(net.request());
    net.runFor(1_000, 50);
    assertThat(net.nodes[0].view()).isZero();
    assertThat(net.nodes[3].stableSeq()).isGreaterThanOrEqualTo(28);
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(31);
    assertThat(net.state[3]).isEqualTo(net.state[0]);
    assertThat(net.nodes[3].view()).isZero();
    assertThat(net.nodes[3].changingView()).isFalse();
  }
}
