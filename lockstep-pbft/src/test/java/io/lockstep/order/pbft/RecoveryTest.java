package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Restarts from stable storage ({@link Durable}, {@link Recovery}): a replica rejoins at its
 * stable checkpoint with the certificates it logged, a whole cluster restarted at once loses no
 * executed request, and a restarted replica never contradicts what it sent before its crash.
 */
class RecoveryTest {
  @Test
  void aRestartedBackupRejoinsAtItsStableCheckpointAndCatchesUp() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.sendAll(10);
    byte[] before = net.state[2].clone();
    net.restart(2);
    assertThat(net.nodes[2].stableSeq()).isEqualTo(8);
    assertThat(net.nodes[2].lastExecuted()).as("its saved checkpoint state").isEqualTo(8);
    assertThat(net.nodes[2].view()).isZero();
    net.runFor(200, 50); // its status brings the commits and batches of 9 and 10
    assertThat(net.nodes[2].lastExecuted()).isEqualTo(10);
    assertThat(net.state[2]).isEqualTo(before);
    net.sendAll(3);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(13);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[0]);
    }
  }

  @Test
  void aWholeClusterRestartedAtOnceLosesNoExecutedRequest() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.sendAll(10);
    // Seq 11 prepares everywhere but its commits are lost: nobody executes it before the crash.
    net.filter = m -> m.message() instanceof PbftMessage.Commit ? null : m;
    Request unfinished = net.request();
    net.send(unfinished);
    net.run();
    byte[][] before = new byte[4][];
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).isEqualTo(10);
      before[i] = net.state[i].clone();
    }
    net.filter = m -> m;
    for (int i = 0; i < 4; i++) {
      net.restart(i);
      assertThat(net.nodes[i].lastExecuted()).isEqualTo(8);
    }
    net.runFor(300, 50); // their own prepares and commits, repeated, finish 9, 10 and 11
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(11);
      assertThat(net.requests(i)).as("replica " + i).contains(unfinished);
    }
    // Nobody casts a new vote in the view they all restarted in (a prepare sent before the
    // crash may not have been durable: EarlyVotes), so new requests wait for the next view.
    net.sendAll(2);
    assertThat(net.nodes[0].lastExecuted()).as("no new vote in view 0").isEqualTo(11);
    net.runFor(5_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(13);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[0]);
    }
    assertThat(before[0]).isNotEqualTo(net.state[0]);
  }

  /**
   * The prepared certificates a whole cluster logged carry executed batches into the next view:
   * after the restart the old primary stays away and view 0 can finish nothing, so only the
   * P sets in the view changes can bring back seq 9 and 10, which were executed and answered.
   */
  @Test
  void afterAWholeClusterRestartTheNextViewKeepsEveryExecutedBatch() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    List<Request> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(net.request());
      net.send(sent.get(i));
      net.run();
    }
    for (int i = 0; i < 4; i++) {
      net.restart(i);
    }
    net.filter = m -> m.from() == 0 || m.to() == 0
        || (m.message() instanceof PbftMessage.Prepare p && p.view() == 0)
        || (m.message() instanceof PbftMessage.Commit c && c.view() == 0) ? null : m;
    Request next = net.request();
    net.send(next, 1, 2, 3);
    net.runFor(3_000, 50);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isPositive();
      assertThat(net.requests(i)).as("replica " + i).endsWith(sent.get(8), sent.get(9), next);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[1]);
    }
  }

  /**
   * Pre-prepares and prepares overlap their records' fsync; a commit does not: with three disks
   * lagging, seq 4 prepares everywhere and executes nowhere until those disks force it.
   */
  @Test
  void aCommitWaitsForItsRecordOnADiskThatLags() {
    Net net = threeDisksLagAfterSeq3();
    net.send(net.request());
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i + " before the fsyncs")
          .isEqualTo(3);
    }
    for (int i = 0; i < 3; i++) {
      net.fsync(i);
    }
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i + " after them").isEqualTo(4);
    }
  }

  /**
   * Power fails at every replica while three disks lag: replica 3 forced everything it wrote,
   * the others nothing since seq 3. Whatever replica 3 executed and saved must then be what
   * every replica executes there: a commit leaves only after its record, so no replica executes
   * seq 4 on commits that a power loss can take back.
   */
  @Test
  void aPowerLossWhileOnlyOneDiskKeptUpLeavesEveryReplicaWithTheSameHistory() {
    Net net = threeDisksLagAfterSeq3();
    Request fourth = net.request();
    net.send(fourth);
    net.run();
    long executedBefore = net.nodes[3].lastExecuted();
    net.powerLoss();
    Request fifth = net.request();
    for (int k = 0; k < 40 && !net.requests(0).contains(fifth); k++) {
      net.send(fourth); // the clients resend what they have no reply for
      net.send(fifth);
      net.runFor(250, 50);
    }
    net.runFor(1_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i)
          .isEqualTo(net.nodes[0].lastExecuted());
      assertThat(net.state[i]).as("replica " + i + " (3 executed up to " + executedBefore
          + " before the power loss)").isEqualTo(net.state[0]);
    }
    assertThat(net.requests(0)).containsOnlyOnce(fourth, fifth);
  }

  /** Seq 1 to 3 ordered with every disk keeping up; from then on the disks of 0, 1, 2 lag. */
  private static Net threeDisksLagAfterSeq3() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.sendAll(3);
    for (int i = 0; i < 3; i++) {
      net.lagDisk(i);
    }
    return net;
  }

  @Test
  void aRestartedBackupRefusesAConflictingPrePrepareForASeqItPreparedBeforeItsCrash() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.message() instanceof PbftMessage.Commit ? null : m;
    Request first = net.request();
    net.send(first);
    net.run();
    net.restart(1);
    Batch other = new Batch(1_700_000_000_000L + net.now, List.of(net.request()));
    long drops = net.nodes[1].dropsByReason()
        .getOrDefault("conflicting pre-prepare (equivocating primary)", 0L);
    net.nodes[1].step(new Input.Receive(0, new PbftMessage.PrePrepare(0, 1, other)));
    assertThat(net.nodes[1].dropsByReason()
        .get("conflicting pre-prepare (equivocating primary)")).isEqualTo(drops + 1);
    assertThat(net.nodes[1].ready().messages()).noneMatch(o -> o.message()
        instanceof PbftMessage.Prepare p && p.digest().equals(other.digest()));
  }

  @Test
  void aReplicaRestartedDuringAViewChangeResumesItAndTheViewIsEntered() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.sendAll(5);
    net.filter = m -> m.from() == 0 || m.to() == 0 ? null : m; // the primary is gone
    Request request = net.request();
    net.send(request, 1, 2, 3);
    net.runFor(600, 50); // the request times out: 1, 2 and 3 change to view 1
    assertThat(net.nodes[2].changingView() || net.nodes[2].view() == 1).isTrue();
    long view = net.nodes[2].view();
    boolean changing = net.nodes[2].changingView();
    net.restart(2);
    assertThat(net.nodes[2].view()).isEqualTo(view);
    assertThat(net.nodes[2].changingView()).isEqualTo(changing);
    net.send(request, 2); // the client resends what it has no reply for; the crash lost it
    net.runFor(3_000, 50);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
      assertThat(net.nodes[i].view()).as("replica " + i).isPositive();
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(6);
    }
  }

  @Test
  void aPrimaryRestartedMidStreamNeverReusesASequenceNumber() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    java.util.Map<Long, java.util.Set<Digest>> proposed = new java.util.TreeMap<>();
    Net.Filter record = m -> {
      if (m.message() instanceof PbftMessage.PrePrepare pp && pp.view() == 0) {
        proposed.computeIfAbsent(pp.seq(), s -> new java.util.HashSet<>())
            .add(pp.batch().digest());
      }
      return m;
    };
    net.filter = m -> m.message() instanceof PbftMessage.Commit ? null : record.apply(m);
    net.send(net.request());
    net.send(net.request());
    net.run();
    net.restart(0);
    net.filter = record;
    Request third = net.request();
    net.send(third);
    net.runFor(300, 50);
    assertThat(proposed).as("one batch per seq in view 0").allSatisfy((seq, digests) ->
        assertThat(digests).hasSize(1));
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(3);
      assertThat(net.requests(i)).as("replica " + i).hasSize(3).endsWith(third);
    }
  }

  @Test
  void damagedStorageStartsARepairAndForeignStorageIsRefusedWithTheReason() {
    Net net = new Net(c -> c);
    PbftConfig config = net.configs[1];
    Recovered damaged = new Recovered(null, null, List.of(),
        new Recovered.Damage(1, 3, 1, "bit flip in segment 1"));
    Pbft repairing = Pbft.recover(config, damaged);
    assertThat(repairing.repairing()).isTrue();
    assertThat(repairing.repairReason()).contains("damaged").contains("bit flip");
    Recovered foreign = new Recovered(new StorageWrite.HardState(new byte[] {0, 0, 0, 0, 0, 0, 0,
        0, 1, 2}), null, List.of());
    assertThatThrownBy(() -> Pbft.recover(config, foreign))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hard state");
    assertThat(Pbft.recover(config, Recovered.EMPTY).view()).isZero();
  }

  /**
   * With max-batch 16 a sequence number spans more positions than it writes journal entries, so
   * each checkpoint's snapshot (at the checkpoint's last position) drops every entry below it.
   * The snapshot is saved when the replica votes, before the checkpoint is stable, so what stays
   * is the copies of the facts between the previous stable checkpoint and it (a pre-prepare and
   * a commit for each of the interval's 4 sequence numbers), not the whole history.
   */
  @Test
  void theLogIsCompactedAtEachCheckpoint() {
    Net net = new Net(c -> c.withLog(16, 4, 8));
    net.sendAll(40);
    assertThat(net.nodes[3].stableSeq()).isEqualTo(40);
    assertThat(net.disks[3].entryCount()).as("only the copies of seqs 37..40")
        .isLessThanOrEqualTo(8);
    assertThat(Arrays.equals(net.disks[3].recovered().snapshot().state(), net.state[3]))
        .isTrue();
  }

  /**
   * A checkpoint vote promises the voter can hand over that state, even after a crash: 2t+1
   * votes make a checkpoint stable at every replica that sees them, which then discards its log
   * below it and fetches the state from the voters. Here replicas 0, 1 and 2 execute seq 8 and
   * vote, but only replica 3 sees the votes (it has not executed 8); then the whole cluster loses
   * power. Replica 3 restarts with 8 stable, and its status hands the proof to the others. Were
   * the voters' states at 8 still only in memory when they voted, nobody would hold that state
   * after the restart: every replica would wait for a transfer that cannot happen, and order
   * nothing again.
   */
  @Test
  void aWholeClusterCrashAfterCheckpointVotesStillHasTheVotedStateToTransfer() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.sendAll(4);
    net.filter = m -> m.message() instanceof PbftMessage.CheckpointVote ? (m.to() == 3 ? m : null)
        : m.message() instanceof PbftMessage.Commit && m.to() == 3 ? null
        : m.message() instanceof PbftMessage.FetchState ? null : m;
    net.sendAll(4);
    assertThat(net.nodes[3].stableSeq()).as("3 saw the votes").isEqualTo(8);
    assertThat(net.nodes[3].lastExecuted()).as("but did not execute 8").isEqualTo(4);
    for (int i = 0; i < 3; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(8);
      assertThat(net.nodes[i].stableSeq()).as("replica " + i).isEqualTo(4);
    }
    byte[] atEight = net.state[0].clone();
    for (int i = 0; i < 4; i++) {
      net.restart(i);
    }
    // The commits of 5..8 are lost after the restart, so the status exchange, which carries
    // replica 3's proof of 8, is what moves the others' watermarks.
    net.filter = m -> m.message() instanceof PbftMessage.Commit c && c.seq() <= 8 ? null : m;
    net.runFor(1_000, 50);
    net.filter = m -> m;
    Request next = net.request();
    net.send(next);
    net.runFor(2_000, 50);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(9);
      assertThat(net.requests(i)).as("replica " + i).endsWith(next);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[0]);
    }
    assertThat(net.state[0]).isNotEqualTo(atEight);
  }

  /**
   * In a cluster whose replica set can change, a replica restarted from a checkpoint state it
   * executed and voted for, above its stable checkpoint (the others' votes for it lost), cannot
   * read who orders past its stable checkpoint until that state is stable, so its window is
   * empty. The certificates it journaled there must still be kept: its view changes report
   * what it prepared (a new view decided without them could put another batch where one
   * committed with its commit), and it repeats its commits, which a peer that missed the others'
   * may need (the simulator's membership seed 163, with an equivocating replica: the restarted
   * primary's commit was the third one a lagging member lacked, and nobody ordered again).
   */
  @Test
  void aReplicaRestartedAboveItsStableCheckpointKeepsAndRepeatsWhatItCommittedThere() {
    MemberNet net = new MemberNet(c -> c.withLog(1, 4, 8), MembershipSchedule.Rule.AT_BOUNDARY);
    for (int i = 0; i < 4; i++) {
      net.write();
      net.run();
    }
    net.filter = m -> m.message() instanceof PbftMessage.CheckpointVote v && v.seq() == 8
        ? null : m;
    for (int i = 0; i < 5; i++) {
      net.write();
      net.run();
    }
    net.restart(2);
    Pbft restarted = net.nodes[2];
    assertThat(restarted.stableSeq()).isEqualTo(4);
    assertThat(restarted.lastExecuted()).as("its saved state at 8").isEqualTo(8);
    assertThat(restarted.high()).as("its window, empty until 8 is stable").isEqualTo(4);
    List<Long> repeated = new java.util.ArrayList<>();
    net.filter = m -> {
      if (m.from() == 2 && m.message() instanceof PbftMessage.Commit c) {
        repeated.add(c.seq());
      }
      return m.message() instanceof PbftMessage.CheckpointVote v && v.seq() == 8 ? null : m;
    };
    net.runFor(100, 50);
    assertThat(repeated).as("the commits it journaled, repeated").contains(9L);
    restarted.viewChanges.start(1, "scripted");
    assertThat(restarted.viewChanges.own.prepared()).extracting(PbftMessage.Prepared::seq)
        .as("what it prepared above its stable checkpoint, in its view change")
        .containsExactly(5L, 6L, 7L, 8L, 9L);
  }

  /**
   * A replica that accepted a pre-prepare it never prepared, started a view change (which
   * vouches for it in its Q set) and crashed signs its view change again from what it wrote:
   * the same Q set. A replica that forgot such a pre-prepare can leave a new view undecidable:
   * another replica's prepared certificate there then lacks the t+1 vouchers it needs (A2) and
   * 2t+1 view changes without it cannot choose the null batch either (the simulator's seed 510
   * stalled so when pre-prepares were written only with their commit).
   */
  @Test
  void aViewChangeSignedAgainAfterACrashStillVouchesForAPrePrepareNeverPrepared() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = m -> m.message() instanceof PbftMessage.Prepare
        || m.message() instanceof PbftMessage.ViewChange ? null : m;
    net.send(net.request());
    net.run();
    Digest digest = net.nodes[2].slots.get(1L).accepted;
    assertThat(digest).as("accepted seq 1").isNotNull();
    net.runFor(600, 50); // the request times out; the view changes are held back
    assertThat(net.nodes[2].changingView()).isTrue();
    PbftMessage.PrePrepared vouched = new PbftMessage.PrePrepared(1, 0, digest);
    assertThat(net.nodes[2].viewChanges.own.prePrepared()).contains(vouched);
    net.restart(2);
    assertThat(net.nodes[2].changingView()).isTrue();
    assertThat(net.nodes[2].viewChanges.own.prePrepared())
        .as("the view change signed again after the crash").contains(vouched);
  }
}
