package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Recovered;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Votes that leave before their records are durable ({@link EarlyVotes}): only pre-prepares and
 * prepares, only within the view and window of a hard state known durable; and a replica
 * restarted from its storage casts no new vote where one it sent early may have been lost, so
 * an equivocating primary cannot make it prepare a second batch at one (view, seq).
 */
class EarlyVotesTest {
  private static Net net() {
    return new Net(c -> c.withLog(1, 4, 8));
  }

  private static boolean prepares(List<ProtocolMessage> sent, long seq, Digest digest) {
    return sent.stream().anyMatch(m -> m instanceof PbftMessage.Prepare p && p.seq() == seq
        && (digest == null || p.digest().equals(digest)));
  }

  @Test
  void onlyPreparesAndPrePreparesWithinADurableHardStatesViewAndWindowLeaveEarly() {
    Net net = net();
    net.sendAll(1);
    Pbft backup = net.nodes[1];
    Digest digest = Batch.NULL.digest();
    PbftMessage.Prepare prepare = new PbftMessage.Prepare(0, 2, digest);
    assertThat(backup.mayLeaveBeforeDurable(prepare)).as("no hard state known durable yet")
        .isFalse();
    List<LogEntry> journal = net.disks[1].recovered().entries();
    backup.step(new Input.Persisted(journal.get(journal.size() - 1).index(), Durable.TERM));
    assertThat(backup.mayLeaveBeforeDurable(prepare)).isTrue();
    assertThat(backup.mayLeaveBeforeDurable(new PbftMessage.PrePrepare(0, 2, Batch.NULL)))
        .isTrue();
    assertThat(backup.mayLeaveBeforeDurable(new PbftMessage.Commit(0, 2, digest)))
        .as("a commit waits: every commit quorum holds its certificates on disk").isFalse();
    assertThat(backup.mayLeaveBeforeDurable(new PbftMessage.Prepare(1, 2, digest)))
        .as("a view no durable hard state names").isFalse();
    assertThat(backup.mayLeaveBeforeDurable(new PbftMessage.Prepare(0, 9, digest)))
        .as("above the durable low watermark plus the window").isFalse();
  }

  @Test
  void aReplicaWhosePrepareWasLostInACrashNeverPreparesAnotherBatchThereInThatView() {
    assertThat(secondPrepareAfterLosingTheFirst(Pbft.Bug.NONE)).isFalse();
  }

  /** The scenario above fails when a restarted replica votes as if nothing were lost. */
  @Test
  void theCheckCatchesAReplicaThatForgetsItsEarlyVotes() {
    assertThat(secondPrepareAfterLosingTheFirst(Pbft.Bug.FORGET_EARLY_VOTES)).isTrue();
  }

  /**
   * Replica 1 prepares request x at (view 0, seq 3); its prepare leaves, the record of it does
   * not reach its disk, and it restarts. A faulty primary then offers it request y at the same
   * (view 0, seq 3), and it restarts once more. Returns whether it ever prepared y there.
   */
  private static boolean secondPrepareAfterLosingTheFirst(Pbft.Bug bug) {
    Net net = net();
    net.sendAll(2);
    Recovered beforeSeq3 = net.disks[1].recovered();
    List<ProtocolMessage> sent = net.recordFrom(1);
    net.send(net.request());
    net.run();
    assertThat(prepares(sent, 3, null)).as("it prepared seq 3").isTrue();
    net.restartWith(1, beforeSeq3, bug);
    Request y = net.request();
    net.send(y, 1);
    Batch other = new Batch(1_700_000_000_000L + net.now, List.of(y));
    net.deliver(new Net.Msg(0, 1, new PbftMessage.PrePrepare(0, 3, other)));
    net.run();
    // It journaled y's pre-prepare without voting; restarted again, it must not take that
    // record for a prepare it sent and repeat it.
    net.restart(1);
    net.runFor(300, 50);
    return prepares(sent, 3, other.digest());
  }

  /**
   * Hard states are written as version 5, which builds before early votes refuse (they accept 1
   * to 4 and would vote again where an early vote was lost); version 4, the same layout, reads.
   */
  @Test
  void theHardStateMarksADirectoryWrittenWithEarlyVotes() {
    Net net = net();
    net.sendAll(1);
    byte[] written = net.disks[1].recovered().hardState().state();
    assertThat(written[0]).isEqualTo((byte) 5);
    byte[] four = written.clone();
    four[0] = 4;
    assertThat(DurableState.decode(four)).isEqualTo(DurableState.decode(written));
  }

  @Test
  void aRestartedReplicaVotesAgainAboveItsWindowAndExecutesEverything() {
    Net net = net();
    net.sendAll(2);
    net.restart(1);
    List<ProtocolMessage> sent = net.recordFrom(1);
    net.sendAll(10);
    net.runFor(300, 50);
    for (long seq = 3; seq <= 8; seq++) {
      assertThat(prepares(sent, seq, null)).as("a new vote at " + seq).isFalse();
    }
    assertThat(prepares(sent, 9, null)).as("above 0 + L, it votes again").isTrue();
    assertThat(net.nodes[1].lastExecuted()).isEqualTo(12);
    assertThat(net.state[1]).isEqualTo(net.state[0]);
  }
}
